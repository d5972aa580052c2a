"""GRD407 through a project function that steps an optimizer built in the call's own arguments:
``train(model, loader, torch.optim.SGD(model.parameters(), lr=0.1))`` after freezing all of
``model`` trains nothing ("element 0 of tensors does not require grad")."""

from snippets import findings

_TRAIN = """\
import torch
import torch.nn as nn


def train(model, loader, optimizer):
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()


DATA = [(torch.randn(2, 4), torch.randn(2, 1))]
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
"""

FROZEN = _TRAIN + """\
model.requires_grad_(False)
train(model, DATA, torch.optim.SGD(model.parameters(), lr=0.1))
"""

HEAD_UNFROZEN = _TRAIN + """\
model.requires_grad_(False)
model[2].requires_grad_(True)
train(model, DATA, torch.optim.SGD(model[2].parameters(), lr=0.1))
"""

NOT_FROZEN = _TRAIN + """\
train(model, DATA, torch.optim.SGD(model.parameters(), lr=0.1))
"""


def test_an_optimizer_built_in_the_call_over_a_frozen_model():
    assert findings(FROZEN, "GRD407") == [(14, "GRD407")]  # at the freeze


def test_an_optimizer_built_in_the_call_over_the_unfrozen_head():
    assert findings(HEAD_UNFROZEN, "GRD407") == []


def test_an_optimizer_built_in_the_call_over_a_trainable_model():
    assert findings(NOT_FROZEN, "GRD407") == []
