"""``self.G, self.D = G, D`` in a constructor stores each name into its field, as ``self.D = D``
does: an optimizer built there over ``D.parameters()`` steps what the other methods call ``self.D``."""

from snippets import findings

TRAINER = """\
import torch
import torch.nn as nn


class GANTrainer:
    def __init__(self, G, D, lr=2e-4):
        self.G, self.D = G, D
        self.opt_g = torch.optim.Adam(G.parameters(), lr=lr)
        self.opt_d = torch.optim.Adam(D.parameters(), lr=lr)
        self.bce = nn.BCEWithLogitsLoss()

    def d_loss(self, real, fake):
        ones = torch.ones(real.size(0), 1)
        zeros = torch.zeros(real.size(0), 1)
        return self.bce(self.D(real), ones) + self.bce(self.D(fake), zeros)

    def g_loss(self, fake):
        return self.bce(self.D(fake), torch.ones(fake.size(0), 1))

    def step(self, real):
        fake = self.G(torch.randn(real.size(0), 8))
        d = self.d_loss(real, fake)
        g = self.g_loss(fake)
STEPS

    def fit(self, loader, epochs=2):
        for epoch in range(epochs):
            for real in loader:
                self.step(real)


def main():
    G = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    D = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    GANTrainer(G, D).fit([torch.randn(5, 4)])
"""

D_FIRST = """\
        self.opt_d.zero_grad()
        d.backward(retain_graph=True)
        self.opt_d.step()
        self.opt_g.zero_grad()
        g.backward()
        self.opt_g.step()"""

BACKWARDS_FIRST = """\
        self.opt_d.zero_grad()
        self.opt_g.zero_grad()
        d.backward(retain_graph=True)
        g.backward()
        self.opt_d.step()
        self.opt_g.step()"""


def test_the_discriminator_s_step_before_the_generator_s_backward():
    # torch 2.13: "one of the variables needed for gradient computation has been modified by an inplace operation"
    assert findings(TRAINER.replace("STEPS", D_FIRST)) == [(28, "GRD205")]


def test_every_backward_before_the_steps_is_silent():
    assert findings(TRAINER.replace("STEPS", BACKWARDS_FIRST)) == []


def test_a_starred_tuple_stores_no_alias():
    source = TRAINER.replace("self.G, self.D = G, D", "self.G, *self.rest = G, D").replace("STEPS", D_FIRST)
    assert findings(source) == []
