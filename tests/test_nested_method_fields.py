"""The fields a method call leaves set on the caller's object: those the methods it calls on ``self``
store too (``field_stores``), and the grad tensors a method left on ``self`` reach the next method it
calls (``summaries.switched_fields``): pix2pix's ``forward()`` sets ``self.fake_B``,
``backward_G()`` builds ``self.loss_G`` from it, and the loop keeps ``model.loss_G``."""

import pytest

from snippets import findings

NESTED = """\
import torch
import torch.nn as nn


class Learner:
    def __init__(self, model):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def backward_loss(self, x, y):
        self.loss = ((self.model(x) - y) ** 2).mean()
        self.loss.backward()

    def step(self, x, y):
        self.opt.zero_grad()
        self.backward_loss(x, y)
        self.opt.step()


def main():
    learner = Learner(nn.Linear(3, 1))
    history = []
    for epoch in range(3):
        learner.step(torch.randn(2, 3), torch.randn(2, 1))
        history.append(learner.loss)  # expect: GRD502
"""

PIX2PIX = """\
import torch
import torch.nn as nn


def set_requires_grad(nets, requires_grad=False):
    if not isinstance(nets, list):
        nets = [nets]
    for net in nets:
        if net is not None:
            for param in net.parameters():
                param.requires_grad = requires_grad


class Pix2Pix(nn.Module):
    def __init__(self, netG, netD):
        super().__init__()
        self.netG = netG
        self.netD = netD
        self.criterionGAN = nn.MSELoss()
        self.criterionL1 = nn.L1Loss()
        self.optimizers = [
            torch.optim.Adam(self.netG.parameters(), lr=2e-4),
            torch.optim.Adam(self.netD.parameters(), lr=2e-4),
        ]
        self.optimizer_G, self.optimizer_D = self.optimizers

    def set_input(self, a, b):
        self.real_A, self.real_B = a, b

    def forward(self):
        self.fake_B = self.netG(self.real_A)

    def backward_D(self):
        pred_fake = self.netD(torch.cat((self.real_A, self.fake_B), 1).detach())
        self.loss_D_fake = self.criterionGAN(pred_fake, torch.zeros_like(pred_fake))
        pred_real = self.netD(torch.cat((self.real_A, self.real_B), 1))
        self.loss_D_real = self.criterionGAN(pred_real, torch.ones_like(pred_real))
        self.loss_D = (self.loss_D_fake + self.loss_D_real) * 0.5
        self.loss_D.backward()

    def backward_G(self):
        pred_fake = self.netD(torch.cat((self.real_A, self.fake_B), 1))
        self.loss_G = self.criterionGAN(pred_fake, torch.ones_like(pred_fake)) + self.criterionL1(self.fake_B, self.real_B) * 100
        self.loss_G.backward()

    def optimize_parameters(self):
        self.forward()
        set_requires_grad(self.netD, True)
        self.optimizer_D.zero_grad()
        self.backward_D()
        self.optimizer_D.step()
        set_requires_grad(self.netD, False)
        self.optimizer_G.zero_grad()
        self.backward_G()
        self.optimizer_G.step()


def main():
    G = nn.Sequential(nn.Linear(4, 4))
    D = nn.Sequential(nn.Linear(8, 1))
    model = Pix2Pix(G, D)
    history = []
    for epoch in range(2):
        for a, b in [(torch.randn(2, 4), torch.randn(2, 4))]:
            model.set_input(a, b)
            model.optimize_parameters()
            history.append(model.loss_G)  # expect: GRD502
"""


def test_a_field_stored_by_a_method_the_call_runs_on_self():
    assert findings(NESTED) == [(25, "GRD502")]
    assert findings(NESTED.replace("history.append(learner.loss)", "history.append(learner.loss.item())")) == []


def test_a_grad_tensor_left_on_self_by_one_method_reaches_the_next():
    assert findings(PIX2PIX) == [(67, "GRD502")]


def test_the_fake_not_detached_for_the_discriminator_frees_the_generators_graph():
    # (torch 2.13: backward_G() raises "Trying to backward through the graph a second time")
    undetached = PIX2PIX.replace("torch.cat((self.real_A, self.fake_B), 1).detach()", "torch.cat((self.real_A, self.fake_B), 1)")
    assert findings(undetached) == [(44, "GRD504"), (67, "GRD502")]
    assert findings(PIX2PIX.replace("history.append(model.loss_G)", "history.append(model.loss_G.item())")) == []


@pytest.mark.parametrize("store", ["self.loss = self.loss.item()", "self.loss = None"])
def test_a_nested_method_that_replaces_the_field_leaves_no_graph(store):
    source = NESTED.replace("        self.loss.backward()\n", "        self.loss.backward()\n        " + store + "\n")
    assert findings(source) == []
