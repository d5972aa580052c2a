"""A function called from more places than it is walked for (``MAX_CONTEXTS``) is walked in its
callers' contexts joined per grad mode, while that keeps within the bound: an evaluation the
training loop calls under no_grad and the script calls with grad on, for two models, is reported
for the grad-on calls. Joined all in one, its grad mode was unknown and the finding was lost (the
finding then depended on whether the training function was walked before the evaluation)."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_PROGRAM = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def fit(model, loader, opt):
    for epoch in range(3):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            print(epoch, test(model, loader))


def test(model, loader):
    model.eval()
    total = 0.0
    for x, y in loader:
        total += F.cross_entropy(model(x), y).item(){mark}
    model.train()
    return total


def main():
    loader = [(torch.randn(2, 4), torch.tensor([0, 1]))]
    first = nn.Linear(4, 3)
    second = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    fit(first, loader, torch.optim.SGD(first.parameters(), lr=0.1))
{calls}
"""

_GRAD_ON = """    print(test(first, loader))
    print(test(second, loader))"""

_NO_GRAD = """    with torch.no_grad():
        print(test(first, loader))
        print(test(second, loader))"""

POSITIVES = [
    case("two_calls_with_grad_on_one_under_no_grad", _PROGRAM.format(mark="  # expect: GRD505", calls=_GRAD_ON), lines=(22,)),
]

NEGATIVES = [
    case("every_call_under_no_grad", _PROGRAM.format(mark="", calls=_NO_GRAD)),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
