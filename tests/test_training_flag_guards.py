"""A helper run in both phases guards its backward() with the mode of the model it is handed:
``if model.training: loss.backward(); optimizer.step()`` (Inside Deep Learning's ``run_epoch``).
Called under ``torch.no_grad()`` right after ``model.eval()``, that arm does not run, so its
backward is not one of a loss computed without a graph (GRD103)."""

from snippets import findings

RUN_EPOCH = """\
import torch
import torch.nn as nn


def run_epoch(model, optimizer, loader, loss_func):
    losses = []
    for x, y in loader:
        loss = loss_func(model(x), y)
        if GUARD:
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def fit(model, train_loader, test_loader, epochs=2):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        model = model.train()
        run_epoch(model, optimizer, train_loader, nn.CrossEntropyLoss())
        model = model.EVAL()
        with torch.no_grad():
            run_epoch(model, optimizer, test_loader, nn.CrossEntropyLoss())


data = [(torch.randn(4, 2), torch.randint(0, 2, (4,)))]
fit(nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)), data, data)
"""


def test_a_backward_guarded_by_the_training_flag_of_an_evaluation_model_is_silent():
    assert findings(RUN_EPOCH.replace("GUARD", "model.training").replace("EVAL", "eval")) == []


def test_the_negated_flag_guards_the_other_arm():
    source = RUN_EPOCH.replace("GUARD", "not model.training").replace("EVAL", "eval")
    assert (10, "GRD103") in findings(source)


def test_a_model_left_in_training_mode_still_backpropagates_under_no_grad():
    # `model.train()` where `eval()` was meant: the guarded backward runs under no_grad and raises
    assert (10, "GRD103") in findings(RUN_EPOCH.replace("GUARD", "model.training").replace("EVAL", "train"))


def test_an_unknown_guard_stays_as_before():
    source = RUN_EPOCH.replace("GUARD", "optimizer is not None").replace("EVAL", "eval")
    assert (10, "GRD103") in findings(source)
