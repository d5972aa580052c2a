"""GRD505: an evaluation sweep (``for steps in steps_list:`` around ``for images, labels in loader:``)
whose inner loop runs the model under ``torch.no_grad()`` and calls a method on its output
(``self.model(adv).argmax(1)``). At the inner loop's end the rule asked whether the loop takes
``torch.autograd.grad``, evaluating every call's callee; the callee ``self.model(adv).argmax`` holds the
forward itself, and that look-up ran it again in the mode after the ``with`` block (grad enabled),
recording a grad-mode forward in the enclosing sweep loop: a false alarm on a forward under no_grad
(corpus29 wotttoo/ifgsm-adversarial-attacks utils/evaluator.py:171, an I-FGSM steps sweep).
A callee that is not a plain dotted name cannot be ``torch.autograd.grad`` under another name."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_SWEEP = """
import torch
import torch.nn as nn


class Evaluator:
    def __init__(self, model, device):
        self.model = model.to(device)
        self.device = device

    def sweep(self, loader, steps_list):
        self.model.eval()
        correct = 0
        for steps in steps_list:
            for images, labels in loader:
                images, labels = images.to(self.device), labels.to(self.device)
{body}
        return correct


ev = Evaluator(nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.2)), torch.device("cpu"))
print(ev.sweep([(torch.randn(2, 4), torch.tensor([0, 1]))], [1, 2]))
"""

_UNDER_NO_GRAD = """\
                with torch.no_grad():
                    preds = self.model(images).argmax(1)
                    correct += (preds == labels).sum().item()"""

_BARE = """\
                preds = self.model(images).argmax(1)  # expect: GRD505
                correct += (preds == labels).sum().item()"""

POSITIVES = [
    case("sweep_forward_without_no_grad", _SWEEP.format(body=_BARE), lines=(17,)),
]

NEGATIVES = [
    case("sweep_forward_under_no_grad_then_argmax", _SWEEP.format(body=_UNDER_NO_GRAD)),
    case(
        "sweep_forward_under_no_grad_then_max",
        _SWEEP.format(body=_UNDER_NO_GRAD.replace("self.model(images).argmax(1)", "self.model(images).max(1)[1]")),
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
