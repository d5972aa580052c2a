"""``nn.ModuleDict``: ``values()`` and ``items()`` give its sub-modules; iterating it gives its keys."""

import pytest

from snippets import findings

MODEL = """\
import torch
import torch.nn as nn


class MultiHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(8, 16)
        self.heads = nn.ModuleDict({"a": nn.Linear(16, 2), "b": nn.Linear(16, 3)})

    def forward(self, x):
        h = self.trunk(x)
        return {name: head(h) for name, head in self.heads.items()}


def freeze_heads(model):
    LOOP
        BODY


model = MultiHead()
freeze_heads(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def lint(loop, body):
    return findings(MODEL.replace("LOOP", loop).replace("BODY", body))


@pytest.mark.parametrize("loop", ["for head in model.heads.values():", "for name, head in model.heads.items():"])
def test_a_flag_set_on_each_sub_module_freezes_nothing(loop):
    assert lint(loop, "head.requires_grad = False") == [(18, "GRD401")]


@pytest.mark.parametrize("loop", ["for head in model.heads.values():", "for name, head in model.heads.items():"])
def test_freezing_each_sub_module_s_parameters_is_silent(loop):
    assert lint(loop, "head.requires_grad_(False)") == []
    assert lint(loop, "for p in head.parameters():\n            p.requires_grad = False") == []


def test_iterating_the_dict_gives_its_keys_not_its_modules():
    assert lint("for key in model.heads:", "key.requires_grad = False") == []
    assert lint("for key in model.heads:", "print(key.upper())") == []
