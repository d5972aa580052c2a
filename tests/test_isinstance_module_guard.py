"""A branch on ``isinstance(net, nn.Module)`` of a name known to hold a module is taken: the book
helpers that accept a model or a plain function (d2l's ``evaluate_accuracy``: ``if isinstance(net,
torch.nn.Module): net.eval()``) switch the model the caller hands them. Given a plain function the
branch stays unknown, and a tensor never is a module."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")
case510 = case_maker("GRD510")

_EVALUATE = """
import torch
import torch.nn as nn


def evaluate_accuracy(net, data_iter):
    if isinstance(net, nn.Module):
        net.eval()
    correct, total = 0.0, 0
    for X, y in data_iter:
        correct += float((net(X).argmax(1) == y).sum()){mark}
        total += y.numel()
    return correct / total


def train(net, data_iter, epochs=2):
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for epoch in range(epochs):
        {train_mode}
        for X, y in data_iter:
            opt.zero_grad()
            nn.functional.cross_entropy(net(X), y).backward()
            opt.step()
        print(evaluate_accuracy(net, data_iter))


net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 3))
data = [(torch.randn(5, 4), torch.randint(0, 3, (5,))) for _ in range(2)]
train(net, data)
"""

_TRAINS = "if isinstance(net, torch.nn.Module):\n            net.train()"

_FUNCTION_NET = """
import torch


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    return [float((net(X).argmax(1) == y).sum()) for X, y in data_iter]


W = torch.randn(4, 3, requires_grad=True)


def net(X):
    return X @ W


print(evaluate_accuracy(net, [(torch.randn(5, 4), torch.randint(0, 3, (5,)))]))
"""

POSITIVES = [
    case("eval_under_isinstance_guard", _EVALUATE.format(mark="  # expect: GRD505", train_mode=_TRAINS), lines=(11,)),
]

NEGATIVES = [
    case(
        "guarded_evaluation_under_no_grad",
        _EVALUATE.format(mark="", train_mode=_TRAINS).replace("def evaluate_accuracy", "@torch.no_grad()\ndef evaluate_accuracy"),
    ),
    case("plain_function_net", _FUNCTION_NET),
]

POSITIVES_510 = [
    case510(
        "guarded_eval_never_undone",
        _EVALUATE.format(mark="", train_mode="pass").replace("net.eval()", "net.eval()  # expect: GRD510"),
        lines=(8,),
    ),
]

NEGATIVES_510 = [case510("guarded_train_each_epoch", _EVALUATE.format(mark="", train_mode=_TRAINS))]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
test_fires_510, test_silent_510 = rule_tests("GRD510", POSITIVES_510, NEGATIVES_510)
