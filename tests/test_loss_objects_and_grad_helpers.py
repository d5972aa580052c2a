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


LOSS_DICT_EPOCH = """\
import torch
from torch import nn

from planner.losses import compute_training_loss


def train_epoch(data_loader, model, optimizer, args):
    epoch_loss = []
    model.train()
    for inputs in data_loader:
        optimizer.zero_grad()
        loss = compute_training_loss(model, inputs, args)
        loss["loss"] = args.alpha * loss["neighbor_loss"] + loss["ego_loss"]
        loss["loss"].backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        optimizer.step()
        {kept}
    return epoch_loss
"""


def test_a_dict_whose_entry_was_backpropagated_keeps_its_graph_in_the_history():
    # Diffusion-Planner's train_epoch: the loss dict, whose "loss" entry backward() just ran on
    src = LOSS_DICT_EPOCH.format(kept="epoch_loss.append(loss)  # expect: GRD502")
    assert findings(src, "GRD502") == [(17, "GRD502")]


@pytest.mark.parametrize(
    "kept",
    [
        "epoch_loss.append({k: v.item() for k, v in loss.items()})",
        "epoch_loss.append(loss['loss'].item())",
        "self_loss = loss",
    ],
)
def test_the_numbers_of_a_backpropagated_dict_keep_no_graph(kept):
    assert findings(LOSS_DICT_EPOCH.format(kept=kept), "GRD502") == []


def test_a_field_of_self_backpropagated_makes_nothing_of_self():
    src = """\
    import torch


    class Trainer:
        def __init__(self, model, optimizer):
            self.model = model
            self.optimizer = optimizer
            self.history = []

        def fit(self, loader):
            for x, y in loader:
                self.optimizer.zero_grad()
                self.loss = torch.nn.functional.mse_loss(self.model(x), y)
                self.loss.backward()
                self.optimizer.step()
                self.history.append(self.loss.item())
    """
    assert findings(src, "GRD502") == []


LOSSES_LIST_EPOCH = """\
class Trainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer

    def train_epoch(self, train_data):
        self.model.train()
        losses_list = []
        for interaction in train_data:
            self.optimizer.zero_grad()
            losses = self.model.calculate_loss(interaction)
            loss = {loss}
            loss.backward()
            self.optimizer.step()
            losses_list.append(losses){expect}
        return losses_list
"""


@pytest.mark.parametrize(
    "loss",
    [
        "sum(losses) if isinstance(losses, tuple) else losses",
        "losses.mean() / len(interaction)",
        "0.5 * sum(losses)",
        # a dict of loss terms (torchvision detection models return one in training)
        "sum(losses.values())",
        "sum(term for term in losses.values())",
        "sum([term for term in losses])",
    ],
)
def test_a_loss_computed_from_one_value_alone_proves_that_value_carries_the_graph(loss):
    # RecBole's trainer before f8d87147: every batch's losses kept until the end of the epoch
    src = LOSSES_LIST_EPOCH.format(loss=loss, expect="  # expect: GRD502")
    assert findings(src, "GRD502") == [(15, "GRD502")]


@pytest.mark.parametrize(
    "loss",
    [
        "sum(losses) + self.model.regularizer()",
        "losses if self.model.training else self.model.fallback_loss()",
        # only some terms, or other values made from them
        "sum(term for term in losses.values() if term.requires_grad)",
        "sum(term * self.model.weights[k] for k, term in losses.items())",
        "sum(self.model.weight(term) for term in losses.values())",
    ],
)
def test_a_loss_computed_from_other_values_too_proves_nothing_of_losses(loss):
    assert findings(LOSSES_LIST_EPOCH.format(loss=loss, expect=""), "GRD502") == []


def test_two_losses_of_one_dict_backpropagated_apart_are_two_graphs():
    # generative-inpainting's train.py: losses["d"] and losses["g"] are separate graphs, the second
    # backward() frees nothing the first one freed
    src = """\
    import torch


    def train(trainer, optimizer_d, optimizer_g, loader, history):
        for step, batch in enumerate(loader):
            losses, result = trainer(batch)
            optimizer_d.zero_grad()
            losses["d"] = losses["wgan_d"] + losses["wgan_gp"] * 10.0
            losses["d"].backward()
            optimizer_d.step()
            if step % 5 == 0:
                optimizer_g.zero_grad()
                losses["g"] = losses["l1"] * 1.2 + losses["wgan_g"] * 0.001
                losses["g"].backward()
                optimizer_g.step()
    """
    assert findings(src, "GRD504") == []
