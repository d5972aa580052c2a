"""A model output of unknown structure that the code uses as only a tensor can be used is one tensor.

``fake = G(z)`` with ``G`` imported from a file the analysis did not load: the output may be a
tuple, so ``fake[0]`` alone says nothing. ``D(fake.detach())`` run unconditionally next does:
a tuple, a dict or a ``ModelOutput`` has no ``detach()`` (``analysis/output_uses.py``).
"""

import pytest

from snippets import findings

GAN = """\
import torch
from model import Generator

G = Generator()
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4)
for epoch in range(100):
    z = torch.randn(4, 100)
    fake = G(z)
    USE
    opt_g.zero_grad()
    loss = G.loss(z)
    loss.backward()
    opt_g.step()
    image = fake[0].cpu().numpy()
"""


@pytest.mark.parametrize(
    "use",
    [
        "d_fake = D(fake.detach())",
        "n = fake.size(0)",
        "n = fake.shape[0]",
        "flat = fake.view(fake.size(0), -1)",
        "score = fake.sum()",
    ],
)
def test_a_tensor_use_makes_the_output_one_tensor(use):
    assert findings(GAN.replace("USE", use), "GRD503") == [(14, "GRD503")]


@pytest.mark.parametrize(
    "use",
    [
        "pass",  # nothing says the output is not a tuple
        "d_fake = D(fake.detach() if torch.is_tensor(fake) else fake[0].detach())",  # a tested use
        "n = len(fake)",
        "fake = fake[0]\n    n = fake.shape[0]",  # rebound first: the use is of another value
        "n = fake.mean",  # a distribution's property, no call
        "d = {k: v.detach() for k, v in fake.items()}",
    ],
)
def test_without_an_unconditional_tensor_use_the_part_stays_unknown(use):
    assert findings(GAN.replace("USE", use), "GRD503") == []


def test_a_use_inside_a_branch_proves_nothing():
    src = GAN.replace("    USE\n", "    if args.log:\n        print(fake.size(0))\n")
    assert findings(src, "GRD503") == []


def test_a_detached_read_stays_silent():
    src = GAN.replace("USE", "d_fake = D(fake.detach())").replace("fake[0].cpu().numpy()", "fake[0].detach().cpu().numpy()")
    assert findings(src, "GRD503") == []


def test_under_no_grad_the_output_carries_nothing():
    src = """\
import torch
from model import Generator

G = Generator()
G.eval()
with torch.no_grad():
    fake = G(torch.randn(4, 100))
    n = fake.size(0)
    image = fake[0].cpu().numpy()
"""
    assert findings(src) == []
