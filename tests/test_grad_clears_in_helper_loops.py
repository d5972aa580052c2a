"""Gradients cleared by hand inside a helper's own loop, or by a ``zero_grad`` helper the walk
did not enter, still count as cleared for the caller's training loop (GRD501).

improved-diffusion's split: ``fp16_util.zero_grad(params)`` clears with ``for p in params:
p.grad.zero_()``; the trainer's ``run_loop`` -> ``run_step`` -> ``forward_backward`` calls it before
the micro-batch backward()s, and ``optimize_*`` steps. The callee's clears were in its loop's
record (``LoopRecord.nested``), which the call's replay left out; and a call three calls deep is not
walked at all (``MAX_DEPTH``), so ``zero_grad(...)`` gave nothing although its name says it clears.
"""

from snippets import lint_path, write_project

HELPERS = """\
import torch.nn as nn


def zero_grad(model_params):
    for param in model_params:
        if param.grad is not None:
            CLEAR


def make_master_params(model_params):
    return [nn.Parameter(p.detach().float()) for p in model_params]
"""

TRAINER = """\
import torch
from helpers import make_master_params, zero_grad


class Trainer:
    def __init__(self, model, use_fp16=False):
        self.model = model
        self.use_fp16 = use_fp16
        self.model_params = list(self.model.parameters())
        self.master_params = self.model_params
        if use_fp16:
            self.master_params = make_master_params(self.model_params)
        self.opt = torch.optim.AdamW(self.master_params, lr=1e-4)

    def run_loop(self, data):
        for x, y in data:
            self.run_step(x, y)

    def run_step(self, x, y):
        self.forward_backward(x, y)
        if self.use_fp16:
            self.optimize_fp16()
        else:
            self.optimize_normal()

    def forward_backward(self, x, y):
        zero_grad(self.model_params)
        for i in range(0, x.shape[0], 2):
            loss = ((self.model(x[i:i + 2]) - y[i:i + 2]) ** 2).mean()
            loss.backward()

    def optimize_fp16(self):
        self.opt.step()

    def optimize_normal(self):
        self.opt.step()


if __name__ == "__main__":
    Trainer(torch.nn.Linear(3, 1)).run_loop([(torch.randn(4, 3), torch.randn(4, 1))] * 3)
"""


ZEROS = "param.grad.detach_()\n            param.grad.zero_()"
CLIPS = "param.grad.clamp_(-1.0, 1.0)"


def lint(tmp_path, clear=ZEROS, trainer=TRAINER):
    helper = "zero_grad" if clear == ZEROS else "clip_grad"  # a helper's name is part of what it shows
    files = {"helpers.py": HELPERS.replace("CLEAR", clear), "trainer.py": trainer}
    write_project(tmp_path, {name: text.replace("zero_grad", helper) for name, text in files.items()})
    return lint_path(tmp_path / "trainer.py", select={"GRD501"})


def test_helper_clearing_in_its_own_loop_clears_the_callers_gradients(tmp_path):
    assert lint(tmp_path) == []


def test_helper_that_only_clips_in_its_loop_clears_nothing(tmp_path):
    # the look-alike: the same loop, but it clamps the gradients instead of zeroing them
    assert lint(tmp_path, clear=CLIPS) == [(33, "GRD501"), (36, "GRD501")]


SHALLOW = TRAINER.replace(
    "            self.run_step(x, y)\n", "            self.forward_backward(x, y)\n            self.opt.step()\n"
)


def test_zero_grad_helper_called_at_the_depth_limit(tmp_path):
    # one call shallower, the helper is walked and its loop's clear seen; at three calls deep it is
    # not walked: its name is what shows it clears
    assert lint(tmp_path, clear=ZEROS, trainer=SHALLOW) == []
    assert lint(tmp_path, clear=CLIPS, trainer=SHALLOW) == [(18, "GRD501")]


RESET_HELPER = """\
import torch


def reset_grads(params):
    for p in params:
        if p.grad is not None:
            CLEAR
"""

PLAIN_LOOP = """\
import torch
from helpers import reset_grads


def train(model, data):
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=0.1)
    for x, y in data:
        reset_grads(params)
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    train(torch.nn.Linear(3, 1), [(torch.randn(4, 3), torch.randn(4, 1))] * 3)
"""


def lint_plain(tmp_path, clear):
    write_project(tmp_path, {"helpers.py": RESET_HELPER.replace("CLEAR", clear), "train.py": PLAIN_LOOP})
    return lint_path(tmp_path / "train.py", select={"GRD501"})


def test_helper_of_another_file_zeroing_in_its_loop_is_a_clear(tmp_path):
    # walked (not too deep), named for nothing: its loop's `p.grad.zero_()` is what clears
    assert lint_plain(tmp_path, "p.grad.zero_()") == []
    assert lint_plain(tmp_path, "p.grad = None") == []


def test_helper_of_another_file_clamping_in_its_loop_is_not(tmp_path):
    assert lint_plain(tmp_path, "p.grad.clamp_(-1.0, 1.0)") == [(12, "GRD501")]
