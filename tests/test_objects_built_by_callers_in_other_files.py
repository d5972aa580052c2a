"""A method's walk gets the objects a caller in another file built its instance with.

catalyst's split (the thread behind corpus_threads5 p19): ``callbacks.py`` defines an ``AmpEngine``
holding a ``GradScaler`` and an ``OptimizerCallback(engine, model, optimizer)`` whose
``on_batch_end`` runs ``self.engine.backward_loss(loss)`` (a scaled backward) and then clips the
gradients before any ``unscale_`` (GRD509). ``runner.py`` builds ``OptimizerCallback(AmpEngine(),
model, optimizer)``. Linting ``callbacks.py``, ``self.engine`` was the constructor's unknown argument:
the caller's context dropped its receiver (``Calls._harvest_context``).
"""

from snippets import lint_path, write_project

CALLBACKS = """\
import torch


class AmpEngine:
    def __init__(self):
        self.scaler = torch.amp.GradScaler("cpu")

    def backward_loss(self, loss):
        self.scaler.scale(loss).backward()

    def optimizer_step(self, optimizer):
        self.scaler.step(optimizer)
        self.scaler.update()


class PlainEngine:
    def backward_loss(self, loss):
        loss.backward()

    def optimizer_step(self, optimizer):
        optimizer.step()


class OptimizerCallback:
    def __init__(self, engine, model, optimizer, max_norm=1.0):
        self.engine = engine
        self.model = model
        self.optimizer = optimizer
        self.max_norm = max_norm

    def on_batch_end(self, loss):
        self.optimizer.zero_grad()
        self.engine.backward_loss(loss)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
        self.engine.optimizer_step(self.optimizer)
"""

RUNNER = """\
import torch
import torch.nn as nn
from callbacks import AmpEngine, OptimizerCallback, PlainEngine


def run(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    callback = OptimizerCallback(ENGINE, model, optimizer)
    for x, y in loader:
        loss = nn.functional.mse_loss(model(x), y)
        callback.on_batch_end(loss)


if __name__ == "__main__":
    run(nn.Linear(3, 1), [(torch.randn(4, 3), torch.randn(4, 1)) for _ in range(3)])
"""


def lint(tmp_path, engine="AmpEngine()", clip="torch.nn.utils.clip_grad_norm_"):
    write_project(
        tmp_path, {"callbacks.py": CALLBACKS.replace("torch.nn.utils.clip_grad_norm_", clip), "runner.py": RUNNER.replace("ENGINE", engine)}
    )
    return lint_path(tmp_path / "callbacks.py", select={"GRD509"})


def test_scaled_backward_of_an_engine_the_caller_built(tmp_path):
    assert lint(tmp_path) == [(34, "GRD509")]


def test_an_engine_without_a_scaler_is_silent(tmp_path):
    assert lint(tmp_path, engine="PlainEngine()") == []


def test_an_engine_the_caller_did_not_build_here_is_silent(tmp_path):
    # the engine comes from the caller's own parameter: not known
    assert lint(tmp_path, engine="model.engine") == []


def test_unscaled_through_the_engine_before_clipping_is_silent(tmp_path):
    clip = "self.engine.scaler.unscale_(self.optimizer)\n        torch.nn.utils.clip_grad_norm_"
    assert lint(tmp_path, clip=clip) == []
