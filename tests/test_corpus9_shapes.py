"""Shapes from the corpus9 recall study (vision / GAN training code nobody here wrote), as small
programs.

- A generator built as a list of layers (``layers = [conv, relu]``, ``layers += [...]`` in a loop,
  ``layers.append(...)``, then ``self.net = nn.Sequential(*layers)``: the CycleGAN / pix2pix
  ``ResnetGenerator`` shape) is a model of several layers with parameters: its output saved them,
  so a discriminator loss backpropagated through a generator output made before the generator's
  ``step()`` raises (simple_CycleGAN simple_cygan.py). A list holding one layer with parameters
  alone (``[nn.Linear(4, 4), nn.Tanh()]``) saves no weight on data and stays silent.
- ``if adv_loss == 'wgan': d_real = ... elif adv_loss == 'hinge': d_real = ...`` with no ``else``,
  in a GAN loop: the fall-through path keeps last iteration's ``d_real`` (stale after the steps),
  but a path that recomputed it is not stale, as the walk's set of stale names already said
  (Self-Attention-GAN trainer.py:124/165, false GRD205 x2). A value computed in both branches from
  a graph that a later step makes stale still reports.
"""

import pytest

from snippets import case_maker, findings

case = case_maker("GRD205")

LIST_GENERATOR = """\
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        {build}
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


G = Generator(2)
D = nn.Linear(4, 1)
opt_g = torch.optim.Adam(G.parameters())
opt_d = torch.optim.Adam(D.parameters())
for step in range(2):
    fake = G(torch.randn(8, 4))
    opt_g.zero_grad()
    D(fake).mean().backward(retain_graph=True)
    opt_g.step()
    opt_d.zero_grad()
    d_loss = D({fake}).mean()
    d_loss.backward(){expect}
    opt_d.step()
"""

LOOP_PLUS = "layers = [nn.Linear(4, 8), nn.ReLU(True)]\n        for _ in range(blocks):\n            layers += [nn.Linear(8, 8), nn.ReLU(True)]\n        layers.append(nn.Linear(8, 4))"
LISTED = "layers = [nn.Linear(4, 8), nn.ReLU(True), nn.Linear(8, 4)]"
CONCAT = "layers = [nn.Linear(4, 8), nn.ReLU(True)] + [nn.Linear(8, 4)]"
EXTENDED = "layers = [nn.Linear(4, 8)]\n        layers.extend([nn.Tanh(), nn.Linear(8, 4)])"
ONE_LAYER = "layers = [nn.Linear(4, 4), nn.Tanh()]"


@pytest.mark.parametrize("build", [LOOP_PLUS, LISTED, CONCAT, EXTENDED], ids=["loop+=", "listed", "concat", "extend"])
def test_list_of_layers_generator_saves_its_weights(build):
    src = LIST_GENERATOR.format(build=build, fake="fake", expect="  # expect: GRD205")
    line = next(i for i, text in enumerate(src.splitlines(), 1) if "expect: GRD205" in text)
    assert findings(src, "GRD205") == [(line, "GRD205")]


@pytest.mark.parametrize(
    "build, fake",
    [(LOOP_PLUS, "fake.detach()"), (ONE_LAYER, "fake"), (LISTED, "G(torch.randn(8, 4))")],
    ids=["detached", "one-layer-saves-no-weight", "recomputed-after-step"],
)
def test_list_of_layers_generator_negatives(build, fake):
    assert findings(LIST_GENERATOR.format(build=build, fake=fake, expect=""), "GRD205") == []


TWO_PLAYERS = """\
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
D = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
opt_g = torch.optim.Adam(G.parameters())
opt_d = torch.optim.Adam(D.parameters())
adv_loss = "hinge"
"""

HINGE_OR_WGAN = TWO_PLAYERS + """\
for step in range(3):
    real = torch.randn(4, 2)
    if adv_loss == "wgan":
        d_real = -D(real).mean()
    elif adv_loss == "hinge":
        d_real = torch.relu(1.0 - D(real)).mean()
    fake = G(torch.randn(4, 2))
    d_loss = d_real + D(fake.detach()).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = -D(G(torch.randn(4, 2))).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
"""

STALE_IN_BOTH_BRANCHES = TWO_PLAYERS + """\
for step in range(3):
    fake = G(torch.randn(4, 2))
    if adv_loss == "wgan":
        g_loss = -D(fake).mean()
    elif adv_loss == "hinge":
        g_loss = torch.relu(1.0 - D(fake)).mean()
    d_loss = torch.relu(1.0 + D(fake.detach())).mean() + torch.relu(1.0 - D(torch.randn(4, 2))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss.backward()  # expect: GRD205
    opt_g.step()
"""


def test_value_recomputed_on_every_taken_branch_is_not_stale():
    assert findings(HINGE_OR_WGAN, "GRD205") == []


def test_value_stale_on_both_branches_still_reports():
    assert findings(STALE_IN_BOTH_BRANCHES, "GRD205") == [(20, "GRD205")]
