"""A test the walk knows true in its context (``if finetune:`` in ``build(finetune)`` called as
``build(True)``) does not make its body conditional: a freeze of every parameter there is a whole,
unconditional freeze of the model the helper returns (GRD407 when that model is then trained). Called
with False the body never runs, and called with a flag the linter cannot know it stays a
conditional freeze: both silent."""

from snippets import findings

_SRC = """\
import sys

import torch
import torch.nn as nn


def build(finetune):
    net = nn.Linear(4, 2)
    if finetune:
        for param in net.parameters():
            param.requires_grad = False
    return net


def train(net, optimizer):
    for x, y in [(torch.randn(2, 4), torch.randn(2, 2))]:
        loss = nn.functional.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    model = build({flag})
    train(model, torch.optim.SGD(model.parameters(), lr=0.1))


main()
"""

LITERAL_TRUE = _SRC.format(flag="True")
LITERAL_FALSE = _SRC.format(flag="False")
UNKNOWN_FLAG = _SRC.format(flag='"--finetune" in sys.argv')


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_freeze_under_a_flag_the_call_sets_true():
    assert findings(LITERAL_TRUE, "GRD407") == [(line_of(LITERAL_TRUE, "param.requires_grad = False"), "GRD407")]


def test_freeze_under_a_flag_the_call_sets_false():
    assert findings(LITERAL_FALSE, "GRD407") == []


def test_freeze_under_a_flag_not_known():
    assert findings(UNKNOWN_FLAG, "GRD407") == []
