"""GRD502 in an epoch loop whose training runs in a called function's own batch loop.

The engine.py of a popular course: ``train_step(model, loader, loss_fn, optimizer)`` sums ``loss``
(a graph) over the batches and returns it; ``train()`` appends what it returns to a history list in
its epoch loop. The epoch loop itself has no ``backward()``, so it was not judged a training loop
and the append went unreported, though every epoch's summed graph (all its batches) stays alive.
"""

import pytest

from snippets import findings

ENGINE = """\
import torch
import torch.nn as nn


def train_step(model, dataloader, loss_fn, optimizer):
    model.train()
    train_loss, train_acc = 0, 0
    for X, y in dataloader:
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += ADDED
        optimizer.zero_grad()
        loss.backward()
        STEP
        train_acc += (y_pred.argmax(1) == y).sum().item() / len(y_pred)
    return train_loss / len(dataloader), train_acc / len(dataloader)


def train(model, dataloader, loss_fn, optimizer, epochs):
    results = {"train_loss": [], "train_acc": []}
    for epoch in range(epochs):
        train_loss, train_acc = train_step(model, dataloader, loss_fn, optimizer)
        results["train_loss"].append(KEPT)  # expect: GRD502
        results["train_acc"].append(train_acc)
    return results


if __name__ == "__main__":
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 3))
    data = [(torch.randn(4, 3, 2, 2), torch.randint(0, 3, (4,))) for _ in range(3)]
    train(model, data, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01), 2)
"""


def program(added="loss", kept="train_loss", step="optimizer.step()"):
    return ENGINE.replace("ADDED", added).replace("KEPT", kept).replace("STEP", step)


def test_history_of_the_summed_losses_a_training_helper_returns():
    src = program()
    # line 11 is the sum itself (reported before this change); line 23 keeps one such graph per epoch
    assert findings(src, "GRD502") == [(11, "GRD502"), (23, "GRD502")]


@pytest.mark.parametrize(
    "added,kept",
    [
        ("loss.item()", "train_loss"),  # a number summed: no graph to keep
        ("loss", "train_loss.item()"),  # the history keeps a number
        ("loss.detach()", "train_loss"),
    ],
)
def test_numbers_or_detached_values_are_silent_in_the_epoch_loop(added, kept):
    src = program(added=added, kept=kept)
    assert (23, "GRD502") not in findings(src, "GRD502")


def test_a_helper_that_never_steps_does_not_make_a_training_loop():
    # backward() without a step: gradients computed for something else (saliency, a check)
    src = program(step="pass")
    assert (23, "GRD502") not in findings(src, "GRD502")
