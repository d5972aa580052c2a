"""``Attack(model, eps)(images, labels)``: an object of the file's class made and called in one
expression runs its ``__call__`` with no name for the receiver. The method's result was renamed into
the caller's names through ``node.func.value``, which a call callee lacks: the whole file's analysis
crashed (GRD002; corpus29 wotttoo/ifgsm-adversarial-attacks tests/test_ifgsm.py:137 after the
round-2 merge)."""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

SOURCE = """
import torch
import torch.nn as nn


class Attack:
    def __init__(self, model, epsilon):
        self.model = model
        self.epsilon = epsilon

    def __call__(self, images, labels):
        images = images.clone().requires_grad_(True)
        loss = nn.functional.cross_entropy(self.model(images), labels)
        grad, = torch.autograd.grad(loss, images)
        return self.model(images + self.epsilon * grad.sign()).argmax(1)


def check(model, images, labels):
    model.eval()
    predicted = Attack(model, 0.2)(images, labels)
    named = Attack(model, 0.1)
    again = named(images, labels)
    return (predicted == labels).float().mean(), again
"""


def test_an_object_called_where_it_is_made_is_analysed():
    findings = lint_text(SOURCE, "attack_check.py", list(BY_CODE.values()))
    assert not [f for f in findings if f.code in ("GRD001", "GRD002")], [f.message for f in findings]
