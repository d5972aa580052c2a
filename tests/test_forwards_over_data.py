"""GRD505: a forward whose statement drops its output, repeated over the batches of a dataset.

A warm-up (``model(torch.zeros(...))`` once) or a timing loop (``for _ in range(10): model(x)``)
frees each graph at once and evaluates nothing: not reported (tests/test_precision22_shapes.py).
A loop over a data loader that runs an eval-mode model on every batch and drops the output
(Monte Carlo batch norm filling its statistics, a calibration pass) records a graph for every
batch of the dataset with nothing to backpropagate it: the evaluation pass forgot no_grad.
"""

import pytest

from snippets import findings

MC_BATCH_NORM = """\
import torch
import torch.nn as nn
from torch.utils.data import DataLoader


class MCBatchNorm(nn.Module):
    def __init__(self, model: nn.Module, estimators: int):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
        self.estimators = estimators
        self.model = self.model.eval()

    def fit(self, dataset):
        loader = DataLoader(dataset, batch_size=32)
        for {target} in {iterable}:
            self.model(x)  # expect: GRD505
"""


def _fit(target, iterable):
    source = MC_BATCH_NORM.format(target=target, iterable=iterable)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD505")]


@pytest.mark.parametrize(
    "target,iterable",
    [("x, _", "loader"), ("i, (x, _)", "enumerate(loader)"), ("x, _", "list(loader)")],
)
def test_a_dropped_forward_over_every_batch_of_a_loader_reports(target, iterable):
    assert _fit(target, iterable) == [("self.model(x)  # expect: GRD505", "GRD505")]


@pytest.mark.parametrize(
    "target,iterable",
    [("_", "range(10)"), ("i", "enumerate(range(3))"), ("_", "(1, 2, 3)")],
)
def test_a_dropped_forward_repeated_by_a_counting_loop_is_not_reported(target, iterable):
    source = MC_BATCH_NORM.format(target=target, iterable=iterable).replace("self.model(x)", "self.model(torch.zeros(1, 3, 8, 8))")
    assert findings(source, "GRD505") == []


WARM_UP_IN_A_DATA_LOOP_OF_THE_CALLER = """\
import torch
import torch.nn as nn


def evaluate(model, batches):
    model.eval()
    model(torch.zeros(1, 4))
    total = 0.0
    with torch.no_grad():
        for x in batches:
            total += model(x).sum().item()
    return total


model = nn.Linear(4, 2)
for batches in [[torch.randn(3, 4)], [torch.randn(2, 4)]]:
    print(evaluate(model, batches))
"""


def test_a_warm_up_reached_through_a_callers_loop_over_data_is_not_reported():
    # the loop is the caller's: the warm-up itself runs once per call, outside any loop of its own
    assert findings(WARM_UP_IN_A_DATA_LOOP_OF_THE_CALLER, "GRD505") == []
