"""``torch.randn(784, 10, requires_grad=True) / math.sqrt(784)`` (pytorch/tutorials#3717, the nn
tutorial's Xavier scaling): ``math.sqrt`` of a number is a number, so the division is an op on the
fresh leaf like ``* 0.01``, and the name holds a non-leaf whose ``.grad`` stays None (GRD302, then
GRD301 where the update reads it). The tutorial's order, scaling first and ``requires_grad_()`` last,
keeps a leaf."""

from snippets import findings

FIT = """\
import math

import torch


def fit(xb, yb, lr=0.5):
    BUILD
    bias = torch.zeros(10, requires_grad=True)
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(xb @ weights + bias, yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
    return weights, bias


fit(torch.randn(8, 784), torch.randint(0, 10, (8,)))
"""


def test_a_leaf_divided_by_a_math_call_is_lost():
    codes = findings(FIT.replace("BUILD", "weights = torch.randn(784, 10, requires_grad=True) / math.sqrt(784)"))
    assert (7, "GRD302") in codes
    assert (13, "GRD301") in codes


def test_scaling_before_requires_grad_keeps_the_leaf():
    build = "weights = torch.randn(784, 10) / math.sqrt(784)\n    weights.requires_grad_()"
    codes = [code for _, code in findings(FIT.replace("BUILD", build))]
    assert "GRD302" not in codes and "GRD301" not in codes
