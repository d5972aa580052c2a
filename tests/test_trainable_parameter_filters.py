"""Shapes from the corpus7 recall study (real training code nobody here wrote), as small programs.

- An optimizer over ``filter(lambda p: p.requires_grad, G.parameters())`` or over
  ``[p for p in G.parameters() if p.requires_grad]`` trains G's parameters exactly as one
  over ``G.parameters()`` does: its step writes them in place (GRD205), and ``G`` is a
  trained module.
- ``model.train(False)`` (or ``train(mode=False)``) is ``model.eval()``: only an nn.Module
  switches mode with a literal flag.
"""

import pytest

from snippets import findings

GAN_STEP_BEFORE_D_BACKWARD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def train(gen, disc, loader, epochs):
    opt_g = torch.optim.Adam({params}, lr=1e-3)
    opt_d = torch.optim.Adam(disc.parameters(), lr=1e-3)
    for epoch in range(epochs):
        for z, real in loader:
            opt_g.zero_grad()
            opt_d.zero_grad()
            fake = gen(z)
            fake_score = disc(fake)
            g_loss = F.binary_cross_entropy_with_logits(fake_score, torch.ones_like(fake_score))
            g_loss.backward(retain_graph=True)
            opt_g.step()
            d_loss = F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score))
            d_loss.backward()  # expect: GRD205
            opt_d.step()


gen = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
train(gen, nn.Linear(3, 1), [(torch.randn(4, 2), torch.randn(4, 3))], 1)
"""


@pytest.mark.parametrize(
    "params",
    [
        "filter(lambda p: p.requires_grad, gen.parameters())",
        "[p for p in gen.parameters() if p.requires_grad]",
        "(p for p in gen.parameters() if p.requires_grad)",
        "[p for p in gen.parameters()]",
    ],
)
def test_a_step_over_the_trainable_parameters_of_g_writes_them(params):
    # the discriminator's loss backpropagates through gen's graph after opt_g.step() updated gen
    assert findings(GAN_STEP_BEFORE_D_BACKWARD.format(params=params), "GRD205") == [(19, "GRD205")]


def test_a_step_over_g_before_a_backward_that_does_not_reach_g_is_fine():
    src = GAN_STEP_BEFORE_D_BACKWARD.format(params="filter(lambda p: p.requires_grad, gen.parameters())")
    src = src.replace("fake_score, torch.zeros_like", "disc(fake.detach()), torch.zeros_like").replace(
        "  # expect: GRD205", ""
    )
    assert findings(src, "GRD205") == []


def test_a_filter_on_another_test_keeps_nothing_known():
    # which parameters `lambda p: p.ndim > 1` keeps is not known: the step's effect stays unknown
    src = GAN_STEP_BEFORE_D_BACKWARD.format(params="filter(lambda p: p.ndim > 1, gen.parameters())")
    assert findings(src, "GRD205") == []


EVALUATE_AFTER_TRAIN_FALSE = """\
import torch


def evaluate(model, loader):
    correct = 0
    for x, y in loader:
        pred = model(x){expect}
        correct += (pred.argmax(1) == y).sum().item()
    return correct


def run(model, loader, epochs):
    for epoch in range(epochs):
        model.train(True)
        model.{switch}
        print(evaluate(model, loader))
"""


@pytest.mark.parametrize("switch", ["train(False)", "train(mode=False)", "eval()"])
def test_train_false_puts_an_unknown_model_in_eval_mode(switch):
    src = EVALUATE_AFTER_TRAIN_FALSE.format(switch=switch, expect="  # expect: GRD505")
    assert findings(src, "GRD505") == [(7, "GRD505")]


@pytest.mark.parametrize("switch", ["train(args.training)", "train(True)", "train(mode=flag)"])
def test_train_with_a_flag_that_is_not_false_switches_nothing_to_eval(switch):
    src = EVALUATE_AFTER_TRAIN_FALSE.format(switch=switch, expect="")
    assert findings(src, "GRD505") == []


def test_train_false_then_an_evaluation_under_no_grad_is_fine():
    src = EVALUATE_AFTER_TRAIN_FALSE.format(switch="train(False)", expect="").replace(
        "        print(evaluate(model, loader))",
        "        with torch.no_grad():\n            print(evaluate(model, loader))",
    )
    assert findings(src, "GRD505") == []
