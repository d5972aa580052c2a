"""A model frozen between ``backward()`` and ``step()`` keeps the gradients the backward left.

StyleGAN-style training (corpus21 Gravity Generator/train.py): ``G.requires_grad_(True)``, forward,
``loss.backward()``, ``G.requires_grad_(False)``, then ``opt_G.step()``. The step applies the
gradients already in ``.grad``: the freeze only keeps the *next* network's backward out of ``G``.
GRD407 ("nothing trainable") reported the freeze; it now does so only when no backward through the
model ran before the freeze, or a ``zero_grad()`` cleared its gradients since.

Our own snippets, each a complete program.
"""

from snippets import findings

GAN = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self):
        self.G = nn.Linear(4, 4)
        self.D = nn.Linear(4, 1)
        self.opt_g = torch.optim.Adam(self.G.parameters())

    def generator_step(self, z):
        self.G.requires_grad_(True)
        loss = -self.D(self.G(z)).mean()
        loss.backward()
        self.G.requires_grad_(False)
        BETWEEN
        self.opt_g.step()
        self.opt_g.zero_grad(set_to_none=True)
"""


def test_a_step_after_a_freeze_that_follows_the_backward_stays_silent():
    assert findings(GAN.replace("        BETWEEN\n", ""), "GRD407") == []


def test_gradients_cleared_after_the_freeze_leave_nothing_to_step():
    src = GAN.replace("BETWEEN", "self.opt_g.zero_grad()")
    assert [code for _, code in findings(src, "GRD407")] == ["GRD407"]


def test_a_freeze_before_any_backward_still_leaves_nothing_to_step():
    src = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
model.requires_grad_(False)  # expect: GRD407
for x in [torch.randn(2, 4)]:
    opt.zero_grad()
    opt.step()
"""
    assert findings(src, "GRD407") == [(6, "GRD407")]
