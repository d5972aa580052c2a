"""``model.fc.requires_grad = True`` on an nn.Module sets a Python attribute and changes no
parameter (GRD401's pitfall): after a helper froze every parameter of the model it returns, that
line unfreezes nothing, so the new head the helper placed before the freeze stays frozen (GRD404)
and GRD401 reports the attribute. A real unfreeze of the head (``requires_grad_(True)`` on it, or
``p.requires_grad = True`` over its parameters) still keeps the caller's training correct."""

from snippets import findings

_HEAD = """\
import torch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 16), nn.ReLU())
        self.fc = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc(self.body(x))


def build(n_out):
    model = Backbone()
    model.fc = nn.Linear(16, n_out)
    for param in model.parameters():
        param.requires_grad = False
{unfreeze}    return model


def main():
    net = build(3)
    opt = torch.optim.Adam(net.fc.parameters(), lr=1e-3)
    for x, y in [(torch.randn(4, 10), torch.randn(4, 3))]:
        opt.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        opt.step()


main()
"""

ATTRIBUTE_ON_THE_HEAD = _HEAD.format(unfreeze="    model.fc.requires_grad = True\n")
REAL_UNFREEZE = _HEAD.format(unfreeze="    model.fc.requires_grad_(True)\n")
LOOP_UNFREEZE = _HEAD.format(unfreeze="    for param in model.fc.parameters():\n        param.requires_grad = True\n")
PARAMETER_UNFROZEN = _HEAD.format(unfreeze="    model.fc.weight.requires_grad = True\n")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_a_module_attribute_after_the_freeze_leaves_the_head_frozen():
    assert findings(ATTRIBUTE_ON_THE_HEAD, "GRD404", "GRD401") == [
        (line_of(ATTRIBUTE_ON_THE_HEAD, "model.fc = "), "GRD404"),
        (line_of(ATTRIBUTE_ON_THE_HEAD, "model.fc.requires_grad = True"), "GRD401"),
    ]


def test_requires_grad_underscore_on_the_head_unfreezes_it():
    assert findings(REAL_UNFREEZE, "GRD404", "GRD401", "GRD407") == []


def test_a_loop_over_the_heads_parameters_unfreezes_it():
    assert findings(LOOP_UNFREEZE, "GRD404", "GRD401", "GRD407") == []


def test_a_parameter_of_the_head_set_back_to_true_is_an_unfreeze():
    assert findings(PARAMETER_UNFROZEN, "GRD404", "GRD401", "GRD407") == []
