"""GRD505: a model whose forward only hands over to a method of its class decorated with
``@torch.no_grad()`` (a detector's ``return self.inference(images, ...)``) records no graph when called
after ``eval()``: there is no activation kept for a backward, so nothing to report. The lxmert FRCNN
extraction script of a real repository (``GeneralizedRCNN.forward`` returning ``self.inference(...)``)
was reported once its ``from_pretrained`` was followed."""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_DETECTOR = """\
import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(3, 8, 3)
        self.head = nn.Linear(8, 4)

    def forward(self, images, max_detections=10):
        return {forward}

    {decorator}
    def inference(self, images, max_detections):
        feats = self.backbone(images).mean((2, 3))
        return {{"boxes": self.head(feats)[:max_detections]}}


def extract(loader):
    model = Detector()
    model.eval()
    out = []
    for images in loader:
        output_dict = model(images){mark}
        out.append(output_dict["boxes"].numpy())
    return out


extract([torch.rand(2, 3, 16, 16) for _ in range(3)])
"""

_MARK = "  # expect: GRD505"

POSITIVES = [
    case("inference-with-gradients", _DETECTOR.format(forward="self.inference(images, max_detections)", decorator="", mark=_MARK), [25]),
]

NEGATIVES = [
    case(
        "inference-under-no-grad",
        _DETECTOR.format(forward="self.inference(images, max_detections)", decorator="@torch.no_grad()", mark=""),
    ),
    case(
        "inference-mode-decorator",
        _DETECTOR.format(forward="self.inference(images, max_detections)", decorator="@torch.inference_mode()", mark=""),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
