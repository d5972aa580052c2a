"""GRD509 after ``if scaler is not None: scaler.scale(loss).backward() else: loss.backward()`` with a
scaler made only for mixed precision (``GradScaler() if use_amp else None``): the arm where the
scaler is None says nothing about the configuration that has one (``analysis/scaler_arms.py``), so a
clip after the ``if`` clips scaled gradients there, in the loop or after a helper that backpropagates
so (returnn #1590's ``backward()`` / ``update_params()`` split). An ``unscale_()`` under the same
test before the clip stays silent, and so does a scaler that is never made."""

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)

_PROGRAM = """\
import sys

import torch
import torch.nn as nn


def backward_step(scaler, loss):
    if scaler is not None:
        scaler.scale(loss).backward()
    else:
        loss.backward()


def train(model, loader, use_amp):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = {scaler}
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
{backward}{unscale}        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0){mark}
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()


train(nn.Linear(3, 1), [(torch.randn(2, 3), torch.randn(2, 1))], "--amp" in sys.argv)
"""

_INLINE = """\
        if scaler is not None:
            scaler.scale(loss).backward()
        else:
            loss.backward()
"""
_HELPER = "        backward_step(scaler, loss)\n"
_UNSCALE = "        if scaler is not None:\n            scaler.unscale_(optimizer)\n"
_MADE = "torch.cuda.amp.GradScaler() if use_amp else None"
_MARK = "  # expect: GRD509"


def program(backward=_INLINE, unscale="", scaler=_MADE, mark=""):
    return _PROGRAM.format(backward=backward, unscale=unscale, scaler=scaler, mark=mark)


POSITIVES = [
    case("inline-backward-then-clip", program(mark=_MARK), [24]),
    case("helper-backward-then-clip", program(backward=_HELPER, mark=_MARK), [21]),
]

NEGATIVES = [
    case("unscaled-under-the-same-test", program(unscale=_UNSCALE)),
    case("no-scaler-made", program(scaler="None")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
