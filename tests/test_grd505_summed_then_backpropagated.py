"""GRD505: a loop over an ensemble's models that sums their logits, then one backward() of a loss
computed from the sum after the loop (an ensemble FGSM: the gradient of the input through every
model). The loop runs no backward() of its own, but its forwards build the graph that backward()
needs (zhangjiahui-buaa/adversarial-example's MI-FGSM ``FGSM_ENSEMBLE``): no_grad around it would
break the attack. The prediction helper that sums the same models only to take an argmax keeps
the finding."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_ATTACK = """
import copy
import torch
import torch.nn as nn


def attack(dataset, models, weights):
    flipped = 0
    for image, label in dataset:
        if predict(models, weights, image).item() != label.item():
            continue
        adv = fgsm_ensemble(models, weights, image, label, 0.1, "logits")
        flipped += int(predict(models, weights, adv).item() != label.item())
    return flipped


def predict(models, weights, image):
{predict}
    return logits.argmax(1)


def fgsm_ensemble(models, weights, image, label, eps, way):
    adv = copy.deepcopy(image)
    adv.requires_grad_()
{body}
    step = adv.grad.sign()
    return (adv + eps * step).detach()


first = nn.Linear(4, 3)
second = nn.Linear(4, 3)
first.eval()
second.eval()
print(attack([(torch.randn(1, 4), torch.tensor([1]))], [first, second], [0.5, 0.5]))
"""

_BARE = """    logits = weights[0] * models[0](image)
    for k in range(1, len(models)):
        logits += weights[k] * models[k](image)  # expect: GRD505"""

_NO_GRAD = """    with torch.no_grad():
        logits = weights[0] * models[0](image)
        for k in range(1, len(models)):
            logits += weights[k] * models[k](image)"""

_IN_AN_ARM = """    if way == "logits":
        out = weights[0] * models[0](adv)
        for k in range(1, len(models)):
            out += weights[k] * models[k](adv)
        out = out.log_softmax(1)
        loss = -out[0, label].sum()
    else:
        out = models[0](adv)
        loss = nn.functional.cross_entropy(out, label)
    loss.backward()"""

_SAME_BLOCK = """    out = weights[0] * models[0](adv)
    for k in range(1, len(models)):
        out += weights[k] * models[k](adv)
    loss = nn.functional.cross_entropy(out, label)
    loss.backward()"""

_AUTOGRAD = """    total = 0.0
    for k in range(len(models)):
        total = total + nn.functional.cross_entropy(models[k](adv), label)
    torch.autograd.grad(total, adv)"""

POSITIVES = [
    # only the prediction's loop: the attack's loop feeds the backward() after it
    case("sum_backpropagated_after_the_if_arm", _ATTACK.format(predict=_BARE, body=_IN_AN_ARM), lines=(20,)),
    case("sum_backpropagated_in_the_same_block", _ATTACK.format(predict=_BARE, body=_SAME_BLOCK), lines=(20,)),
    case("losses_differentiated_by_autograd_grad", _ATTACK.format(predict=_BARE, body=_AUTOGRAD), lines=(20,)),
]

NEGATIVES = [
    case("prediction_under_no_grad", _ATTACK.format(predict=_NO_GRAD, body=_IN_AN_ARM)),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
