"""Shapes from the corpus7 recall study (real training code nobody here wrote), as small programs.

- ``loss.backward()`` proves a grad tensor only when ``loss`` is a tensor: a hand-written
  loss accumulator with its own ``backward()``, ``reset()`` and ``eval_batch()`` is not one
  (IBM pytorch-seq2seq's trainer, a false GRD502).
- A helper that puts a new tensor in ``p.grad`` (``p.grad = torch.zeros_like(p)``) clears the
  accumulated gradients as ``p.grad = None`` does (wiseodd generative-models, a false GRD501).
"""

import pytest

from snippets import findings

LOSS_OBJECT = """\
import torch
import torch.nn as nn


class AccumulatedLoss:
    def __init__(self):
        self.criterion = nn.NLLLoss()
        self.acc_loss = 0

    def reset(self):
        self.acc_loss = 0

    def eval_batch(self, outputs, target):
        self.acc_loss += self.criterion(outputs, target)

    def backward(self):
        self.acc_loss.backward()

    def get_loss(self):
        return self.acc_loss.item()


class Trainer:
    def __init__(self, loss, optimizer):
        self.loss = loss
        self.optimizer = optimizer

    def train_batch(self, model, steps, target):
        loss = self.loss
        loss.reset()
        for inputs in steps:
            loss.eval_batch(model(inputs), target)
        model.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.get_loss()

    def train(self, model, batches):
        total = 0
        for steps, target in batches:
            total += self.train_batch(model, steps, target)
        return total
"""


def test_a_loss_object_with_its_own_backward_is_not_a_grad_tensor():
    # `loss` is an AccumulatedLoss: get_loss() returns a float, the total keeps no graph
    assert findings(LOSS_OBJECT, "GRD502") == []


def test_a_loss_tensor_backpropagated_after_tensor_methods_is_still_proven():
    src = """\
    import torch


    def train(model, loader, criterion, optimizer):
        total = 0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y).mean()
            loss.div_(2)
            loss.backward()
            optimizer.step()
            total += loss  # expect: GRD502
        return total
    """
    assert findings(src, "GRD502") == [(12, "GRD502")]


RESET_GRAD_HELPER = """\
import torch

w = torch.randn(4, 2, requires_grad=True)
b = torch.zeros(2, requires_grad=True)
params = [w, b]


def reset_grad():
    for p in params:
{body}


solver = torch.optim.Adam(params, lr=1e-3)
for it in range(100):
    x = torch.randn(8, 4)
    loss = (x @ w + b).pow(2).mean()
    loss.backward()
    solver.step(){expect}
    reset_grad()
"""


@pytest.mark.parametrize(
    "body",
    [
        "        p.grad = torch.zeros_like(p)",
        "        if p.grad is not None:\n            data = p.grad.data\n            p.grad = data.new().resize_as_(data).zero_()",
    ],
)
def test_a_helper_that_replaces_every_grad_clears_them(body):
    assert findings(RESET_GRAD_HELPER.format(body=body, expect=""), "GRD501") == []


def test_a_helper_that_only_reads_the_grads_clears_nothing():
    src = RESET_GRAD_HELPER.format(body="        print(p.grad.norm())", expect="  # expect: GRD501")
    assert findings(src, "GRD501") == [(18, "GRD501")]
