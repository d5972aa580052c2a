"""A slice of an ``nn.ModuleList`` / ``nn.Sequential`` is a container of the same kind
(``model.layers[:n]``, ``vgg.features[:10]``): its members are modules, so ``layer.requires_grad =
False`` over them is GRD401's pitfall (the freezing of the bottom layers of a language model users
report does nothing). The right freezes over a slice stay clean, and freezing part of a model
through a slice is not a freeze of the whole model."""

from snippets import findings

_MODEL = """\
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, h):
        return h + self.fc(h)


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(Block() for _ in range(4))
        self.features = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
        self.head = nn.Linear(8, 2)

    def forward(self, h):
        for layer in self.layers:
            h = layer(h)
        return self.head(self.features(h))


def freeze_bottom(model, n):
{freeze}


def main():
    model = TinyLM()
    freeze_bottom(model, 2)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    for x, y in [(torch.randn(4, 8), torch.randint(0, 2, (4,)))]:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


main()
"""

ATTRIBUTE_OVER_A_SLICE = _MODEL.format(freeze="""\
    for layer in model.layers[:n]:
        layer.requires_grad = False""")
ATTRIBUTE_OVER_A_SEQUENTIAL_SLICE = _MODEL.format(freeze="""\
    for layer in model.features[:2]:
        layer.requires_grad = False""")
REQUIRES_GRAD_UNDERSCORE_OVER_A_SLICE = _MODEL.format(freeze="""\
    for layer in model.layers[:n]:
        layer.requires_grad_(False)""")
PARAMETERS_OF_A_SLICE = _MODEL.format(freeze="""\
    for layer in model.layers[:n]:
        for p in layer.parameters():
            p.requires_grad = False""")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_module_attribute_over_a_module_list_slice():
    assert findings(ATTRIBUTE_OVER_A_SLICE, "GRD401") == [
        (line_of(ATTRIBUTE_OVER_A_SLICE, "layer.requires_grad = False"), "GRD401")
    ]


def test_module_attribute_over_a_sequential_slice():
    src = ATTRIBUTE_OVER_A_SEQUENTIAL_SLICE
    assert findings(src, "GRD401") == [(line_of(src, "layer.requires_grad = False"), "GRD401")]


def test_requires_grad_underscore_over_a_slice_is_a_real_partial_freeze():
    assert findings(REQUIRES_GRAD_UNDERSCORE_OVER_A_SLICE, "GRD401", "GRD404", "GRD405", "GRD406", "GRD407") == []


def test_parameters_of_a_slice_frozen_leave_the_rest_trainable():
    assert findings(PARAMETERS_OF_A_SLICE, "GRD401", "GRD404", "GRD405", "GRD406", "GRD407") == []
