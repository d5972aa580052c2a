"""GRD505: an evaluation function the training loop calls under no_grad each epoch and the script
calls once more, bare, for the final test (wonbeomjang/knowledge-distillation-study's ``test(net,
test_loader)``). The no_grad call is a direct call, recorded as a calling context of its own; the bare
call is a grad-mode call whatever the other does. Only calls no context records (in a lambda or a
comprehension, or a function handed over) leave the grad mode unknown."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_TEST_AND_TRAIN = """
import torch
import torch.nn as nn


def test(net, loader):
    net.eval()
    correct = 0
    for image, target in loader:
        predict = net(image){mark}
        correct += (predict.argmax(1) == target).sum().item()
    net.train()
    return correct


def train(net, loader, optimizer):
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            print(test(net, loader))


net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Linear(4, 2))
loader = [(torch.randn(2, 4), torch.tensor([0, 1])) for _ in range(3)]
train(net, loader, torch.optim.SGD(net.parameters(), lr=0.1))
"""

POSITIVES = [
    case(
        "final_test_call_without_no_grad",
        _TEST_AND_TRAIN.format(mark="  # expect: GRD505") + "print(test(net, loader))\n",
        lines=(10,),
    ),
]

NEGATIVES = [
    case("every_call_under_no_grad", _TEST_AND_TRAIN.format(mark="") + "with torch.no_grad():\n    print(test(net, loader))\n"),
    case(
        "called_under_no_grad_in_a_comprehension_only",
        _TEST_AND_TRAIN.format(mark="").replace("print(test(net, loader))", "print([test(net, [b]) for b in loader])"),
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
