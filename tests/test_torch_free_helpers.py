"""Helpers of another file of the project that never mention torch.

A module that never mentions torch defines no model, loss or training step, so files importing
it skip it (speed). One kind still matters: a class whose methods add what they are given into
their object's fields. A meter (``AverageMeter.update(val, n)``: ``self.sum += val * n``) in a
torch-free ``utils.py`` keeps the graph of every loss tensor a training loop passes it, the
most common way a loss history grows without ``.item()`` (GRD502 at the call).
"""

import textwrap

import pytest

from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE

METER = """\
class AverageMeter:
    def __init__(self):
        self.reset()

    def reset(self):
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.sum += val * n
        self.count += n

    @property
    def avg(self):
        return self.sum / max(self.count, 1)
"""

LOOP = """\
import torch
from meters import AverageMeter


def train(model, loader, optimizer, criterion):
    model.train()
    losses = AverageMeter()
    for x, y in loader:
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.update({arg}, x.size(0))
    return losses.avg
"""

EVALUATION = """\
import torch
from meters import AverageMeter


def evaluate(model, loader, criterion):
    model.eval()
    losses = AverageMeter()
    with torch.no_grad():
        for x, y in loader:
            loss = criterion(model(x), y)
            losses.update(loss, x.size(0))
    return losses.avg
"""


def _lint(tmp_path, meter: str, loop: str):
    (tmp_path / "meters.py").write_text(meter)
    path = tmp_path / "train.py"
    path.write_text(loop)
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD502"]])]


def test_torch_free_meter_given_the_loss_keeps_every_graph(tmp_path):
    assert _lint(tmp_path, METER, LOOP.format(arg="loss")) == [(13, "GRD502")]


@pytest.mark.parametrize("arg", ["loss.item()", "loss.detach()", "float(loss)"])
def test_torch_free_meter_given_no_graph(tmp_path, arg):
    assert _lint(tmp_path, METER, LOOP.format(arg=arg)) == []


def test_torch_free_meter_given_losses_computed_under_no_grad(tmp_path):
    assert _lint(tmp_path, METER, EVALUATION) == []


def test_torch_free_helper_keeping_the_last_value_only(tmp_path):
    # keeping the last value given (a rebinding, no `+=`) is no growing history, and the module stays skipped
    counter = textwrap.dedent(
        """\
        class AverageMeter:
            def __init__(self):
                self.vals = []

            def update(self, val, n=1):
                self.vals = [val]
        """
    )
    assert _lint(tmp_path, counter, LOOP.format(arg="loss")) == []
