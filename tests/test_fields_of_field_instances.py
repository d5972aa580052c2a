"""A field read through another field holding an object of the project's own class (``self.engine.scaler``).

``Trainer.__init__`` sets ``self.engine = Engine()`` and ``Engine.__init__`` sets ``self.scaler =
GradScaler()``. In ``Trainer.step``, ``self.engine.scaler.scale(loss).backward()`` then clipping before
``unscale_`` clips scaled gradients (GRD509). ``self.engine`` was known to be an ``Engine`` but its
fields were read only for modules, so the scaler stayed unknown (catalyst's engine/callback split).
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


class Engine:
    def __init__(self):
        self.scaler = torch.amp.GradScaler("cpu")


class Trainer:
    def __init__(self, model, optimizer, engine=None):
        self.model = model
        self.optimizer = optimizer
        self.engine = ENGINE

    def step(self, loss):
        self.optimizer.zero_grad()
        BACKWARD
        UNSCALE
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)  # expect: GRD509
        self.engine.scaler.step(self.optimizer)
        self.engine.scaler.update()


def run(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, optimizer)
    for x, y in loader:
        trainer.step(nn.functional.mse_loss(model(x), y))


if __name__ == "__main__":
    run(nn.Linear(3, 1), [(torch.randn(4, 3), torch.randn(4, 1)) for _ in range(3)])
"""


def program(engine="Engine()", backward="self.engine.scaler.scale(loss).backward()", unscale="pass"):
    return PROGRAM.replace("ENGINE", engine).replace("BACKWARD", backward).replace("UNSCALE", unscale)


@pytest.mark.parametrize(
    "backward",
    ["self.engine.scaler.scale(loss).backward()", "scaler = self.engine.scaler\n        scaler.scale(loss).backward()"],
)
def test_scaler_held_by_a_field_of_a_field(backward):
    src = program(backward=backward)
    line = next(n for n, text in enumerate(src.splitlines(), 1) if "# expect: GRD509" in text)
    assert findings(src, "GRD509") == [(line, "GRD509")]


def test_unscaled_before_clipping_is_silent():
    assert findings(program(unscale="self.engine.scaler.unscale_(self.optimizer)"), "GRD509") == []


def test_engine_given_by_the_caller_is_not_known():
    # `engine` is the constructor's argument, None by default here: whatever it holds is not known
    assert findings(program(engine="engine"), "GRD509") == []


def test_field_replaced_by_a_method_the_caller_runs_is_not_a_scaler():
    src = program().replace(
        "\n\ndef run(", "\n    def plain(self):\n        self.engine = object()\n\n\ndef run("
    ).replace("    for x, y in loader:\n", "    trainer.plain()\n    for x, y in loader:\n")
    assert "trainer.plain()" in src
    assert findings(src, "GRD509") == []
