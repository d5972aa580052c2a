"""GRD505 and a metric module whose every part is a frozen network of the project, picked by its
constructor from a literal option: ``PerceptualDistance(backbone="vgg")`` builds
``self.net = VGGSlices(requires_grad=False)`` under ``if self.backbone in ["vgg", "vgg16"]:``, and
``VGGSlices.__init__`` ends with ``if not requires_grad: for p in self.parameters(): p.requires_grad
= False``. With images that require no grad, its forward records no graph: an evaluation loop
calling it after ``eval()`` without ``no_grad`` wastes nothing (realprec12 stable-dreamfusion
ldm/modules/evaluate/evaluate_perceptualsim.py:375/445/538, false alarms).

Three facts were missing: a field holding an instance of the project's class frozen whole by its
constructor is a frozen part (``frozen_fields``, also for the class as its ``__init__`` leaves it);
a constructor's ``self.backbone == "vgg"`` test on a field it stored from a literal is decided
(``flag_fields.constructor_field_truth``); a field holding a literal string is kept in what the
constructor's walk leaves (``nested_fields.self_fields``), known to be neither tensor nor module.

Still reported: the option picking a network that is not frozen, and a frozen network beside a
trainable head.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

NETWORKS = """\
import torch
from torch import nn
from torchvision import models


class VGGSlices(nn.Module):
    def __init__(self, requires_grad=False, pretrained=True):
        super().__init__()
        layers = models.vgg16(pretrained=pretrained).features
        self.low = nn.Sequential()
        self.high = nn.Sequential()
        for index in range(9):
            self.low.add_module(str(index), layers[index])
        for index in range(9, 16):
            self.high.add_module(str(index), layers[index])
        if not requires_grad:
            for param in self.parameters():
                param.requires_grad = False

    def forward(self, x):
        low = self.low(x)
        return [low, self.high(low)]


class ResNetTrunk(nn.Module):
    def __init__(self, requires_grad=False, pretrained=True):
        super().__init__()
        self.net = models.resnet18(pretrained=pretrained)

    def forward(self, x):
        return [self.net.layer1(self.net.conv1(x))]


class PerceptualDistance(nn.Module):
    def __init__(self, backbone="vgg", use_gpu=True):
        super().__init__()
        self.backbone = backbone
        self.use_gpu = use_gpu
        if self.backbone in ["vgg", "vgg16"]:
            self.net = VGGSlices(pretrained=True, requires_grad=False)
        elif self.backbone == "resnet":
            self.net = ResNetTrunk(pretrained=True, requires_grad=False)
        self.shift = torch.Tensor([-0.03, -0.088, -0.188]).view(1, 3, 1, 1)
        if use_gpu:
            self.net.cuda()
            self.shift = self.shift.cuda()

    def forward(self, a, b):
        total = 0.0
        for fa, fb in zip(self.net(a - self.shift), self.net(b - self.shift)):
            total = total + (fa - fb).pow(2).mean()
        return total


"""

NEGATIVES = [
    case(
        "the-default-option-picks-a-frozen-network",
        NETWORKS
        + """\
def score_folder(pairs):
    distance = PerceptualDistance()
    distance.eval()
    scores = []
    for predicted, target in pairs:
        scores.append(distance(predicted, target).item())
    return sum(scores) / len(scores)
""",
    ),
    case(
        "a-literal-option-picks-a-frozen-network",
        NETWORKS
        + """\
def score_folder(pairs):
    distance = PerceptualDistance(backbone="vgg16", use_gpu=False)
    distance.eval()
    return [distance(predicted, target).item() for predicted, target in pairs]


def best_of(pairs):
    distance = PerceptualDistance("vgg", False)
    distance.eval()
    best = 1e9
    for predicted, target in pairs:
        best = min(best, distance(predicted, target).item())
    return best
""",
    ),
]

POSITIVES = [
    case(
        "the-option-picks-a-network-that-is-not-frozen",
        NETWORKS
        + """\
def score_folder(pairs):
    distance = PerceptualDistance(backbone="resnet")
    distance.eval()
    scores = []
    for predicted, target in pairs:
        scores.append(distance(predicted, target).item())  # expect: GRD505
    return scores
""",
        lines=(60,),
    ),
    case(
        "a-frozen-network-beside-a-trainable-head",
        NETWORKS
        + """\
class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = VGGSlices(requires_grad=False)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.features(x)[1].mean(dim=(2, 3)))


def accuracy(probe, loader):
    probe.eval()
    correct = 0
    for images, labels in loader:
        correct += (probe(images).argmax(1) == labels).sum().item()  # expect: GRD505
    return correct


accuracy(Probe(), [])
""",
        lines=(69,),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
