"""A summary made where the depth bound refused one of its calls is reused only as deep.

``main() -> net.fit_loop() -> self.validation_step() -> self.infer(x)`` (skorch's validation step
runs the module through ``infer``): summarising ``main`` walks ``validation_step`` three calls
deep, where ``infer`` is refused, and that summary was cached for the reporting walk of
``fit_loop`` too, which could follow ``infer``: the forward after ``self.module_.eval()`` was lost
(GRD505 missed). Such a summary is now made again when a shallower walk needs it."""

from snippets import findings

_NET = """\
import torch
import torch.nn as nn


class NeuralNet:
    def __init__(self, module, criterion):
        self.module_ = module
        self.criterion_ = criterion

    def infer(self, x):
        return self.module_(x)

    def validation_step(self, Xi, yi):
        self.module_.eval()
{forward}
        return self.criterion_(y_pred, yi).item()

    def fit_loop(self, valid_batches):
        losses = []
        for X, y in valid_batches:
            losses.append(self.validation_step(X, y))
        return losses


def main():
    net = NeuralNet(nn.Linear(3, 4), nn.CrossEntropyLoss())
    net.fit_loop([(torch.randn(8, 3), torch.randint(0, 4, (8,)))])


main()
"""

THROUGH_INFER = _NET.format(forward="        y_pred = self.infer(Xi)")
THROUGH_INFER_NO_GRAD = _NET.format(forward="        with torch.no_grad():\n            y_pred = self.infer(Xi)")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_forward_through_a_helper_three_calls_below_the_top_level():
    assert findings(THROUGH_INFER, "GRD505") == [(line_of(THROUGH_INFER, "y_pred = self.infer(Xi)"), "GRD505")]


def test_the_same_under_no_grad_stays_clean():
    assert findings(THROUGH_INFER_NO_GRAD, "GRD505") == []
