"""Shapes of corpus_threads (training code rewritten from public bug threads) that the analysis
missed when each file is linted alone.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case502 = case_maker("GRD502")

# ---- a loss from a module annotated ``nn.Module`` (its output may be a tuple), then
# ``loss.backward()``: only a tensor has backward(), so the loss is a tensor that requires grad
# (a course's ``train_step(model: nn.Module, ..., loss_fn: nn.Module, ...)`` summing its losses).

ANNOTATED_LOSS_MODULE = """\
import torch
from torch import nn


def train_step(model: nn.Module, batches, loss_fn: nn.Module, optimizer: torch.optim.Optimizer):
    model.train()
    running, seen = 0, 0
    for inputs, targets in batches:
        scores = model(inputs)
        loss = loss_fn(scores, targets)
        running += loss  # expect: GRD502
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += 1
    running = running / seen
    return running
"""

ANNOTATED_LOSS_MODULE_ITEM = ANNOTATED_LOSS_MODULE.replace("running += loss  # expect: GRD502", "running += loss.item()")

# the backward() is conditional: nothing is proven about `loss` where it is accumulated
ANNOTATED_LOSS_MODULE_MAYBE_BACKWARD = """\
from torch import nn


def run_epoch(model: nn.Module, batches, loss_fn: nn.Module, optimizer, train: bool):
    running = 0
    for inputs, targets in batches:
        loss = loss_fn(model(inputs), targets)
        running += loss
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return running
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("loss-of-annotated-module-backpropagated", ANNOTATED_LOSS_MODULE, (11,)),
        case502("item-accumulated", ANNOTATED_LOSS_MODULE_ITEM),
        case502("backward-only-in-a-branch", ANNOTATED_LOSS_MODULE_MAYBE_BACKWARD),
    ],
)
def test_grd502_backward_proves_a_module_output_is_a_tensor(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]
