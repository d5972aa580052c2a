"""GRD407 through ``train(net2, torch.optim.SGD(net2.parameters()))`` whose callee names the model
differently (``def train(net, optimizer)``): the optimizer built in the call's arguments reached
the rule with the callee's name of its owner (``net``), so the caller's frozen ``net2`` was never
matched. Its owners are now the caller's paths. A model nobody froze, or another model trained
while the frozen one is left alone, stays silent."""

from snippets import findings

_SRC = """\
import torch
import torch.nn as nn


def train(net, optimizer):
    for x, y in [(torch.randn(2, 4), torch.randn(2, 2))]:
        loss = nn.functional.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    net2 = nn.Linear(4, 2)
    other = nn.Linear(4, 2)
{freeze}
    train({params}, torch.optim.SGD({params}.parameters(), lr=0.1))


main()
"""

_FREEZE = "    for param in net2.parameters():\n        param.requires_grad = False"

FROZEN = _SRC.format(freeze=_FREEZE, params="net2")
NOT_FROZEN = _SRC.format(freeze="    pass", params="net2")
OTHER_MODEL = _SRC.format(freeze=_FREEZE, params="other")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_frozen_model_trained_by_a_callee_that_names_it_differently():
    assert findings(FROZEN, "GRD407") == [(line_of(FROZEN, "param.requires_grad = False"), "GRD407")]


def test_a_model_nobody_froze():
    assert findings(NOT_FROZEN, "GRD407") == []


def test_another_model_trained():
    assert findings(OTHER_MODEL, "GRD407") == []
