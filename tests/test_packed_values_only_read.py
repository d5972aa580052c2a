"""GRD101 is silent when the copy ``torch.tensor([...])`` makes of grad tensors is only read.

A copy that is printed, logged, formatted into a message, compared, or turned into Python
numbers wants exactly the values: no gradient was meant to flow through it (a test comparing
two trainings: ``diff = torch.tensor([(p - q).norm() for ...])``, then ``max(diff)`` in a log
message). Any other use of the copy (an operand of a loss, an argument of another call, a
return, a store, a closure) keeps the finding, and so does a copy that is read *and* used, or
never used at all (that tells nothing of what it was for).
"""

import pytest

from snippets import findings

PROGRAM = """\
import logging
import torch
from torch import nn


def compare(x):
    model_a, model_b = nn.Linear(3, 1), nn.Linear(3, 1)
    out = model_a(x)
    params_a = [p for p in model_a.parameters()]
    params_b = [p for p in model_b.parameters()]
    diff = torch.tensor([(p - q).norm() for p, q in zip(params_a, params_b)])
    USE
"""


def _grd101(use):
    return findings(PROGRAM.replace("USE", use), "GRD101")


@pytest.mark.parametrize(
    "use",
    [
        'logging.info(f"largest difference {max(diff)}")',
        "print(diff)",
        "print(diff.max().item())",
        'logger = logging.getLogger("x")\n    logger.warning("diff %s", diff)',
        "assert diff.max() < 1e-3",
        "if diff.max() > 1e-3:\n        raise ValueError(str(diff))",
        "worst = float(diff.max())\n    return worst",
        "values = diff.tolist()\n    return values",
        "return len(diff)",
    ],
    ids=["fstring-max", "print", "item", "logger", "assert", "if-test", "float", "tolist", "len"],
)
def test_a_copy_only_read_is_silent(use):
    assert _grd101(use) == []


@pytest.mark.parametrize(
    "use",
    [
        "return diff",
        "loss = out.sum() + diff.sum()\n    loss.backward()",
        "print(diff)\n    (out.sum() + diff.sum()).backward()",
        "store = {}\n    store['d'] = diff",
        "diff += 1\n    print(diff)",
        "def report():\n        return diff\n    return report",
        "torch.save(diff, 'diff.pt')",
        "return max(diff)",
        "pass",
    ],
    ids=["returned", "in-a-loss", "read-and-used", "stored", "aug-assigned", "closure", "other-call", "returned-max", "unused"],
)
def test_a_copy_used_otherwise_still_reports(use):
    assert _grd101(use) == [(11, "GRD101")]


def test_the_copy_in_the_statement_itself():
    src = """\
    import torch


    def show(x):
        model = torch.nn.Linear(3, 1)
        print(torch.tensor([model(x).sum(), model(x).mean()]))
        return torch.tensor([model(x).sum(), model(x).mean()])
    """
    assert findings(src, "GRD101") == [(7, "GRD101")]


def test_a_packed_loss_backpropagated_still_reports():
    src = """\
    import torch


    def step(xs):
        model = torch.nn.Linear(3, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        losses = torch.tensor([model(x).sum() for x in xs])
        print(losses)
        losses.mean().backward()
        optimizer.step()
    """
    assert findings(src, "GRD101") == [(7, "GRD101")]


def test_module_level_copy_only_logged():
    src = """\
    import logging
    import torch

    w = torch.randn(3, requires_grad=True)
    snapshot = torch.tensor([w[0] * 2, w[1] * 2])
    logging.info("snapshot %s", snapshot)
    """
    assert findings(src, "GRD101") == []
