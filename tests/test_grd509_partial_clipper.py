"""GRD509 through a clipper bound with ``functools.partial``: ``clip = partial(clip_grad_norm_,
max_norm=1.0)``, kept in a local or in a field set by ``__init__`` (an optimizer callback's
``self.grad_clip_fn``, maybe None), then ``clip(model.parameters())`` after
``scaler.scale(loss).backward()`` clips the scaled gradients like the clipper itself would.
After ``scaler.unscale_(optimizer)``, or without a scaler, it stays silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)


def amp_loop(clip_line, unscale=""):
    return (
        """\
from functools import partial

import torch
import torch.nn as nn


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cuda")
    clip = partial(nn.utils.clip_grad_norm_, max_norm=1.0)
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        scaler.scale(loss).backward()
"""
        + unscale
        + clip_line
        + """\
        scaler.step(optimizer)
        scaler.update()
"""
    )


CALLBACK = """\
import functools

import torch
import torch.nn as nn


class ClipCallback:
    def __init__(self, model, optimizer, grad_clip_params=None):
        self.model = model
        self.optimizer = optimizer
        self.scaler = torch.amp.GradScaler("cuda")
        self.grad_clip_fn = functools.partial(nn.utils.clip_grad_value_, **grad_clip_params) if grad_clip_params else None

    def on_batch_end(self, loss):
        self.scaler.scale(loss).backward()
{unscale}        if self.grad_clip_fn is not None:
            self.grad_clip_fn(self.model.parameters()){mark}
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad()
"""

POSITIVES = [
    case("partial-in-a-local", amp_loop("        clip(model.parameters())  # expect: GRD509\n"), [15]),
    case("partial-in-a-field-maybe-none", CALLBACK.format(unscale="", mark="  # expect: GRD509"), [17]),
]

NEGATIVES = [
    case("unscaled-first", amp_loop("        clip(model.parameters())\n", unscale="        scaler.unscale_(optimizer)\n")),
    case(
        "field-after-unscale",
        CALLBACK.format(unscale="        self.scaler.unscale_(self.optimizer)\n", mark=""),
    ),
    case(
        "partial-without-a-scaler",
        """\
from functools import partial

import torch
import torch.nn as nn


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    clip = partial(nn.utils.clip_grad_norm_, max_norm=1.0)
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        clip(model.parameters())
        optimizer.step()
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
