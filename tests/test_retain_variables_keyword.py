"""``backward(retain_variables=True)`` is what torch 0.x called ``retain_graph=True``: tutorials written
for it keep the graph for the next backward (torch 2 rejects the keyword with a TypeError before any
backward). GRD504 took the graph for freed; the pitfall such a GAN step has is GRD205 (the
discriminator's step() updates parameters the generator's loss graph saved), as with ``retain_graph``."""

import pytest

from snippets import findings

GAN_STEP = """\
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 15))
D = nn.Sequential(nn.Linear(15, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
opt_D = torch.optim.Adam(D.parameters(), lr=1e-4)
opt_G = torch.optim.Adam(G.parameters(), lr=1e-4)
for step in range(3):
    real = torch.randn(8, 15)
    fake = G(torch.randn(8, 5))
    prob_real, prob_fake = D(real), D(fake)
    D_loss = -torch.mean(torch.log(prob_real) + torch.log(1.0 - prob_fake))
    G_loss = torch.mean(torch.log(1.0 - prob_fake))
    opt_D.zero_grad()
    D_loss.backward(KEYWORD=True)
    opt_D.step()
    opt_G.zero_grad()
    G_loss.backward()
    opt_G.step()
"""


@pytest.mark.parametrize("keyword", ["retain_variables", "retain_graph"])
def test_the_old_keyword_keeps_the_graph_as_retain_graph_does(keyword):
    assert findings(GAN_STEP.replace("KEYWORD", keyword), "GRD504", "GRD205") == [(18, "GRD205")]
