"""A step a helper takes only under a condition of its own is the caller's conditional step.

MAE/DeiT-style gradient accumulation: ``loss_scaler(loss, optimizer, update_grad=(i + 1) % accum
== 0)`` backpropagates on every call but steps only ``if update_grad:``, and the caller clears
``if (i + 1) % accum == 0:`` after it. GRD501 read the helper's step as one taken on every call,
so the loop's clear on some paths only looked like a step after uncleared gradients. A helper's
summary now tells which optimizers it steps on every way out (``Summary.steps_always``); a step
it may skip joins the caller's loop as a conditional step, exactly as an ``if`` in the loop would.

Our own snippets, each a complete program.
"""

from snippets import findings

SCALER_CLASS = """\
import torch
import torch.nn as nn


class ScalerStep:
    def __init__(self):
        self._scaler = torch.cuda.amp.GradScaler()

    def __call__(self, loss, optimizer, parameters=None, update_grad=True):
        self._scaler.scale(loss).backward()
        if update_grad:
            self._scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            self._scaler.step(optimizer)
            self._scaler.update()


def train_one_epoch(model, loader, optimizer, loss_scaler, accum_iter):
    optimizer.zero_grad()
    for step, (x, y) in enumerate(loader):
        loss = ((model(x) - y) ** 2).mean()
        loss /= accum_iter
        loss_scaler(loss, optimizer, parameters=model.parameters(),
                    update_grad=(step + 1) % accum_iter == 0)
        if (step + 1) % accum_iter == 0:
            optimizer.zero_grad()


model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(4, 3), torch.randn(4, 1)) for _ in range(8)]
train_one_epoch(model, loader, optimizer, ScalerStep(), 2)
"""

HELPER = """\
import sys
import torch
import torch.nn as nn


def update(loss, optimizer, update_grad=True):
    loss.backward()
    if update_grad:
        optimizer.step()


def train(model, loader, optimizer, accum, phase):
    for i, (x, y) in enumerate(loader):
        loss = ((model(x) - y) ** 2).mean()
        CLEAR
        update(loss, optimizer, UPDATE)


model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(4, 3), torch.randn(4, 1)) for _ in range(8)]
train(model, loader, optimizer, 2, sys.argv[1])
"""


def _helper(clear: str, update: str, always: bool = False) -> str:
    src = HELPER.replace("CLEAR", clear).replace("UPDATE", update)
    if always:
        src = src.replace("    if update_grad:\n        optimizer.step()", "    optimizer.step()")
    return src


def test_scaler_object_stepping_under_its_flag_is_an_accumulation_window():
    assert findings(SCALER_CLASS, "GRD501") == []


def test_helper_stepping_under_a_parameter_bound_to_the_accumulation_test():
    src = _helper("if (i + 1) % accum == 0:\n            optimizer.zero_grad()", "update_grad=(i + 1) % accum == 0")
    assert findings(src, "GRD501") == []


def test_helper_that_always_steps_still_reports_a_clear_on_some_paths():
    # the clear runs only in the train phase; the helper steps on every call
    src = _helper('if phase == "train":\n            optimizer.zero_grad()', "True", always=True)
    assert findings(src, "GRD501") == [(8, "GRD501")]


def test_helper_stepping_conditionally_in_a_loop_that_never_clears():
    src = _helper("pass", "update_grad=(i + 1) % accum == 0")
    assert findings(src, "GRD501") == [(9, "GRD501")]
