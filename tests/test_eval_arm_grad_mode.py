"""The eval-mode arm of a module's ``if self.training:`` (``eval_arms``): with no caller giving the
model a mode, gradients on there is no fact, so GRD202 stays silent on pytorch-retinanet's box clipping
(``boxes[:, :, 0] = torch.clamp(boxes[:, :, 0], min=0)`` after ``torch.stack`` in the inference arm,
run under ``torch.no_grad()`` by its evaluation script). The training arm, and the statements after the
``if``, keep the walk's grad mode."""

from tests.snippets import findings

DETECTOR = """\
import torch
import torch.nn as nn


class ClipBoxes(nn.Module):
    def forward(self, boxes, width, height):
        boxes[:, :, 0] = torch.clamp(boxes[:, :, 0], min=0)
        boxes[:, :, 2] = torch.clamp(boxes[:, :, 2], max=width)
        return boxes


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(16, 4)
        self.clip = ClipBoxes()

    def forward(self, x, targets=None):
        deltas = self.head(x)
        boxes = torch.stack([deltas[..., 0], deltas[..., 1], deltas[..., 2], deltas[..., 3]], dim=2)
        if self.training:
            return ((boxes - targets) ** 2).mean()
        else:
            return self.clip(boxes, 64, 64)
"""


def test_writes_of_the_eval_arm_of_a_forward_called_by_no_one_here_are_silent():
    assert findings(DETECTOR, "GRD202") == []


def test_the_same_writes_in_the_training_arm_are_reported():
    src = DETECTOR.replace("if self.training:", "if not self.training:")
    assert findings(src, "GRD202") == [(7, "GRD202"), (8, "GRD202")]


def test_after_the_if_the_grad_mode_is_the_one_before_it():
    src = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        h = torch.sigmoid(self.fc(x))
        if not self.training:
            self.last = h.detach()
        h.mul_(2)  # expect: GRD202
        return h
"""
    assert findings(src, "GRD202") == [(14, "GRD202")]
