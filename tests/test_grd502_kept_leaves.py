"""Activation maximisation ("deep dream") optimises an input image, a leaf made with
``requires_grad=True`` and stepped in place by its own optimizer, and returns it; the script keeps
one dream per label and learning rate. A leaf has no graph behind it: keeping it keeps no history
(GRD502 silent). What a forward computes from it does carry its graph, and keeping that still
reports."""

from snippets import case_maker, rule_tests

case = case_maker("GRD502")

SRC = """\
import torch
import torch.nn as nn


def dream(net, label, steps=20, lr=0.1):
    image = torch.zeros(1, 16, requires_grad=True)
    for _ in range(steps):
        optimizer = torch.optim.SGD([image], lr=lr)
        loss = -net(image)[0, label]
        loss.backward()
        optimizer.step()
        image.grad.zero_()
    return image


def dream_all(net):
    net.eval()
    dreams = []
    for label in range(4):
        for lr in (0.05, 0.1):
            dreams.append(dream(net, label, lr=lr))
    return dreams


if __name__ == "__main__":
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    kept = dream_all(model)
"""

NEGATIVES = [case("dreamed_inputs_kept", SRC)]

POSITIVES = [
    case(
        "scores_of_the_dreams_kept",
        SRC.replace(
            "            dreams.append(dream(net, label, lr=lr))\n",
            "            dreams.append(net(dream(net, label, lr=lr)).max())  # expect: GRD502\n",
        ),
        lines=(21,),
    )
]

test_fires, test_silent = rule_tests("GRD502", POSITIVES, NEGATIVES)
