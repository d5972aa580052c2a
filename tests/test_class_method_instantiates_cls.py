"""``model = cls(config)`` inside a class method (``from_pretrained``) builds an instance of the class the
method belongs to: the model returned is a module of that class (its forward, its mode after
``model.eval()``), not a value of unknown class. realprec7 LoRA's lxmert extraction script:
``GeneralizedRCNN.from_pretrained(...)`` then ``self.model(images, ...)`` in a loop, whose forward returns
what an ``@torch.no_grad()`` method computes; taken for a model of unknown class, its forward was judged
to record a graph (GRD505)."""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_DETECTOR = """\
import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.backbone = nn.Conv2d(3, cfg["width"], 3)
        self.head = nn.Linear(cfg["width"], 4)

    @classmethod
    def from_pretrained(cls, path, config=None):
        model = cls(config)
        model.load_state_dict(torch.load(path))
        model.eval()
        return model

    def forward(self, images):
        return self.inference(images)

    {decorator}
    def inference(self, images):
        return self.head(self.backbone(images).mean((2, 3)))


class Extractor:
    def __init__(self, path):
        self.model = Detector.from_pretrained(path, config={{"width": 8}})

    def __call__(self, loader):
        scores = []
        for images in loader:
            boxes = self.model(images){mark}
            scores.append(boxes.max().item())
        return scores
"""

POSITIVES = [
    case("forward-with-gradients", _DETECTOR.format(decorator="", mark="  # expect: GRD505"), [33]),
]

NEGATIVES = [
    case("forward-under-no-grad", _DETECTOR.format(decorator="@torch.no_grad()", mark="")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
