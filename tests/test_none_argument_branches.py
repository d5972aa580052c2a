"""``if optimiser is not None:`` in a helper called with ``optimiser=None``: that arm does not run.

``run_epoch(model, loader, optimiser)`` trains, ``run_epoch(model, dev_loader, optimiser=None)``
after ``model.eval()`` only evaluates: in that call the update arm (with its ``backward()``) never
runs, so the helper's loop is an evaluation loop without ``no_grad`` (GRD505; corpus21 CS598
seq2seq/train.py). A parameter bound to ``None`` (a literal argument or default) decides ``is None``
/ ``is not None`` tests on it, as a literal flag decides ``if train:``; a parameter bound to anything
else decides nothing (a helper's ``if loss is None: return`` stays a possible path).

Our own snippets, each a complete program.
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def run_epoch(model, loader, optimiser=None):
    total = 0
    for x, y in loader:
        out = model(x)  # expect: GRD505
        loss = (out - y).pow(2).mean()
        if optimiser is not None:
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        total += loss.item()
    return total


def main():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters())
    loader = [(torch.randn(2, 4), torch.randn(2, 1))]
    for epoch in range(3):
        model.train()
        run_epoch(model, loader, opt)
        model.eval()
        print(EVALUATION)


main()
"""


def test_the_evaluation_call_of_a_training_helper_is_reported():
    src = PROGRAM.replace("EVALUATION", "run_epoch(model, loader, optimiser=None)")
    assert findings(src, "GRD505") == [(8, "GRD505")]


def test_the_evaluation_call_under_no_grad_stays_silent():
    src = PROGRAM.replace("        print(EVALUATION)", "        with torch.no_grad():\n            print(run_epoch(model, loader, optimiser=None))")
    assert findings(src, "GRD505") == []


def test_a_helper_given_an_optimizer_in_eval_mode_trains():
    # a model kept in eval mode on purpose while it trains (batch-norm frozen): not an evaluation
    src = PROGRAM.replace("EVALUATION", "run_epoch(model, loader, opt)")
    assert findings(src, "GRD505") == []


def test_a_rebound_parameter_decides_nothing():
    src = PROGRAM.replace("EVALUATION", "run_epoch(model, loader, optimiser=None)").replace(
        "    total = 0\n", "    total = 0\n    optimiser = optimiser or torch.optim.SGD(model.parameters(), lr=0.1)\n"
    )
    assert findings(src, "GRD505") == []
