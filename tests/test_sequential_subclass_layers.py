"""A project class deriving from ``nn.Sequential`` that hands its layers to ``super().__init__``
(SinGAN's ``ConvBlock``, torchvision's ``ConvNormActivation`` shape) has the parameters of those
layers, and two layers with parameters make it a model of several layers
(``analysis/sequential_subclasses.py``). A generator built of such blocks keeps its weights for
backward, so a graph through it built before a loop goes stale at the generator's step() in the
loop: the next iteration's backward raises (GRD205, tamarott/SinGAN #148, checked with torch 2.13).
A block of one Linear on data keeps no weight."""

from snippets import case_maker, rule_tests

CODE = "GRD205"
case = case_maker(CODE)

_PROGRAM = """\
import torch
import torch.nn as nn


class Block(nn.Sequential):
    def __init__(self, width):
        super().__init__({layers})
{forward}

class Generator(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.block = Block(width)

    def forward(self, noise):
        return self.block(noise)


def train_generator(netG, netD, noise, steps=3):
    optimizerG = torch.optim.Adam(netG.parameters(), lr=1e-3)
    fake = netG(noise)
    for step in range(steps):
        netG.zero_grad()
        errG = -netD(fake).mean()
        errG.backward(retain_graph=True){mark}
        optimizerG.step()


train_generator(Generator(), nn.Linear(8, 1), torch.randn(4, 8))
"""

_TWO_LAYERS = "nn.Linear(width, width), nn.Tanh(), nn.Linear(width, width)"
_ONE_LAYER = "nn.Linear(width, width), nn.ReLU()"


def program(layers=_TWO_LAYERS, mark=""):
    return _PROGRAM.format(layers=layers, forward="", mark=mark)


POSITIVES = [
    case("stale-through-a-sequential-subclass", program(mark="  # expect: GRD205"), [25]),
]

NEGATIVES = [
    case("one-linear-on-data-keeps-no-weight", program(layers=_ONE_LAYER)),
    case("fake-rebuilt-each-step", program().replace(
        "        errG = -netD(fake).mean()", "        fake = netG(noise)\n        errG = -netD(fake).mean()"
    )),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
