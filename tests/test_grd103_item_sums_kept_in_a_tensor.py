"""GRD103: a tensor that only ever accumulated ``.item()`` values, in place or in a loop.

``total = torch.tensor(0.0)`` then ``total -= criterion(out, y).item()`` for each sample: the tensor
holds values cut out of the graph and never requires grad, so ``total.backward()`` raises "element 0
of tensors does not require grad and does not have a grad_fn" (checked with torch 2.13), whether
the sum is made in place (``-=``) or rebound (``total = total - ...``), in a loop or not. On the path
that skips the loop the constant does not require grad either. A sum that adds a graph tensor
somewhere (``total = total + loss``) requires grad and is left alone, and so is one whose addend
is not known to be cut (a reward from an unknown function may be a graph tensor).
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

ITEM_SUM = """\
import torch
import torch.nn as nn


def train_step(model, batch, optimizer):
    criterion = nn.MSELoss()
    net = nn.Linear(4, 1)
    total = torch.tensor(0.0)
    for x, y in batch:
        total -= criterion(net(x), y).item() * 0.5
    total = total / len(batch)
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
"""


def findings(src, code="GRD103"):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE[code]])]


def test_item_values_summed_in_place_in_a_loop():
    [(line, message)] = findings(ITEM_SUM)
    assert line == 13
    assert "cut out of the graph" in message


def test_item_values_summed_by_rebinding_in_a_loop():
    src = ITEM_SUM.replace("total -= criterion(net(x), y).item() * 0.5", "total = total - criterion(net(x), y).item()")
    assert [line for line, _ in findings(src)] == [13]


def test_in_place_sum_without_a_loop():
    src = ITEM_SUM.replace("    for x, y in batch:\n        total -= ", "    x, y = batch[0]\n    total -= ")
    assert [line for line, _ in findings(src)] == [13]


def test_graph_tensor_added_on_one_path():
    src = ITEM_SUM.replace("total -= criterion(net(x), y).item() * 0.5", "total = total + criterion(net(x), y)")
    assert findings(src) == []


def test_addend_not_known_to_be_cut():
    src = ITEM_SUM.replace("def train_step(model, batch, optimizer):", "def train_step(model, batch, optimizer, weigh):")
    src = src.replace(".item() * 0.5", ".item() * weigh(x)")
    assert findings(src) == []
