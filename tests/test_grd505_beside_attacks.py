"""A robustness evaluation: an attack object whose ``forward`` takes ``torch.autograd.grad`` of the loss with
respect to the images (torchattacks' ``Attack`` subclasses, or an ``nn.Module``), then the model on the
adversarial batch for the accuracy. The loop takes gradients, so it cannot run under no_grad; but the forward
after the attack is differentiated by nothing and records a graph for every batch (GRD505, with the fix
around that forward alone). Forwards before the attack, a loop that takes the gradients itself (saliency),
a forward already under no_grad and an adversarial training loop stay silent."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_ATTACK = """
import torch
import torch.nn as nn
import torch.nn.functional as F
{base_import}

class FGSM({base}):
    def __init__(self, model, eps=8 / 255):
        {init}
        self.eps = eps

    def forward(self, images, labels):
        images = images.clone().detach().requires_grad_(True)
        cost = F.cross_entropy({logits}, labels)
        grad = torch.autograd.grad(cost, images)[0]
        return (images + self.eps * grad.sign()).clamp(0, 1).detach()


model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 10))
loader = [(torch.rand(4, 3, 8, 8), torch.tensor([0, 1, 2, 3]))]
atk = FGSM(model, eps=4 / 255)
model.eval()
correct = 0
for images, labels in loader:
{body}
"""

_TORCHATTACKS = dict(
    base_import="from torchattacks.attack import Attack\n",
    base="Attack",
    init='super().__init__("FGSM", model)',
    logits="self.get_logits(images)",
)
_MODULE = dict(
    base_import="",
    base="nn.Module",
    init="super().__init__()\n        self.model = model",
    logits="self.model(images)",
)

_ROBUST = """    adv_images = atk(images, labels)
    outputs = model(adv_images){mark}
    correct += (outputs.argmax(1) == labels).sum().item()"""

_MARK = "  # expect: GRD505"

POSITIVES = [
    case("torchattacks_attack", _ATTACK.format(body=_ROBUST.format(mark=_MARK), **_TORCHATTACKS), lines=(27,)),
    case("attack_module", _ATTACK.format(body=_ROBUST.format(mark=_MARK), **_MODULE), lines=(27,)),
    case(
        "clean_prediction_before_the_attack",
        _ATTACK.format(
            body="    preds = model(images).argmax(1)\n    adv_images = atk(images, preds)\n"
            f"    outputs = model(adv_images){_MARK}\n    correct += (outputs.argmax(1) == preds).sum().item()",
            **_TORCHATTACKS,
        ),
        lines=(28,),
    ),
]

NEGATIVES = [
    case(
        "forward_under_no_grad",
        _ATTACK.format(
            body="    adv_images = atk(images, labels)\n    with torch.no_grad():\n"
            "        outputs = model(adv_images)\n    correct += (outputs.argmax(1) == labels).sum().item()",
            **_TORCHATTACKS,
        ),
    ),
    case(
        "saliency_taken_in_the_loop",
        _ATTACK.format(
            body="    images.requires_grad_(True)\n    outputs = model(images)\n"
            "    saliency = torch.autograd.grad(outputs.max(1)[0].sum(), images)[0]\n"
            "    correct += saliency.abs().sum().item()",
            **_TORCHATTACKS,
        ),
    ),
    case(
        "adversarial_training",
        _ATTACK.format(
            body="    adv_images = atk(images, labels)\n    loss = F.cross_entropy(model(adv_images), labels)\n"
            "    loss.backward()\n    with torch.no_grad():\n        for p in model.parameters():\n"
            "            p -= 0.01 * p.grad\n            p.grad = None",
            **_TORCHATTACKS,
        ),
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
