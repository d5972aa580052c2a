"""GRD405 needs to know that the model holds parameters outside the parts its optimizer updates.
``nn.DataParallel(model)`` of a model the analysis cannot see (built by a factory picked from a
registry at run time) is a wrapper whose parameters are exactly the wrapped model's: nothing says
they reach beyond ``model.backbone`` and ``model.classifier``. A segmentation model made of a
backbone and a head, both given to the optimizer, trains all of itself. A wrapper around a model
the analysis knows still reports the part it leaves out.
"""

from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)

UNKNOWN_MODEL = """\
import torch
import torch.nn as nn
import segmentation_zoo


def train(arch, loader):
    model = segmentation_zoo.builders[arch](num_classes=21)
    optimizer = torch.optim.SGD(
        [
            {"params": model.backbone.parameters(), "lr": 0.001},
            {"params": model.classifier.parameters(), "lr": 0.01},
        ],
        lr=0.01,
        momentum=0.9,
    )
{wrap}    for images, masks in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images), masks)
        loss.backward()
        optimizer.step()
"""

KNOWN_MODEL = """\
import torch
import torch.nn as nn


class SegNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(3, 8, 3, padding=1)
        self.neck = nn.Conv2d(8, 8, 1)
        self.classifier = nn.Conv2d(8, 21, 1)

    def forward(self, x):
        return self.classifier(self.neck(self.backbone(x)))


def train(loader):
    model = SegNet()
    optimizer = torch.optim.SGD(  # expect: GRD405
        [
            {"params": model.backbone.parameters(), "lr": 0.001},
            {"params": model.classifier.parameters(), "lr": 0.01},
        ],
        lr=0.01,
    )
    model = nn.DataParallel(model)
    for images, masks in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images), masks)
        loss.backward()
        optimizer.step()
"""

POSITIVES = [
    case("data-parallel-of-a-model-with-an-untrained-neck", KNOWN_MODEL, [18]),
]

NEGATIVES = [
    case("data-parallel-of-an-unknown-model", UNKNOWN_MODEL.replace("{wrap}", "    model = nn.DataParallel(model)\n")),
    case(
        "distributed-data-parallel-of-an-unknown-model",
        UNKNOWN_MODEL.replace("{wrap}", "    model = nn.parallel.DistributedDataParallel(model, device_ids=[0])\n"),
    ),
    case("torch-compile-of-an-unknown-model", UNKNOWN_MODEL.replace("{wrap}", "    model = torch.compile(model)\n")),
    case("an-unknown-model-unwrapped", UNKNOWN_MODEL.replace("{wrap}", "")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
