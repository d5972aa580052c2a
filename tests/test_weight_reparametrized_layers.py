"""``nn.utils.spectral_norm(conv)`` (and ``weight_norm``, the ``parametrizations`` forms) returns
the module it was given, its weight now computed from parameters it registered: still trained,
still saved by the layer's forward. A GAN whose discriminator layers are so wrapped, stepped
before the generator's backward through it, raises "one of the variables needed for gradient
computation has been modified by an inplace operation" (checked with torch 2.13), as with plain
layers; a project helper returning the wrapped module or the module itself is the same module.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

GAN = """\
import torch
import torch.nn as nn


def sn(module, use=True):
    if use:
        return nn.utils.spectral_norm(module)
    return module


gen = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))
dis = nn.Sequential(WRAP(nn.Linear(4, 8)), nn.LeakyReLU(0.2), WRAP(nn.Linear(8, 1)))
opt_g = torch.optim.Adam(gen.parameters())
opt_d = torch.optim.Adam(dis.parameters())

for step in range(100):
    real = torch.randn(16, 4)
    fake = gen(torch.randn(16, 4))
    d_loss = dis(fake.detach()).mean() - dis(real).mean()
    g_loss = -dis(fake).mean()
    opt_d.zero_grad()
    opt_g.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss.backward()
    opt_g.step()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD205"]])]


def test_spectral_norm_layers_are_the_layers():
    assert lines(GAN.replace("WRAP", "nn.utils.spectral_norm")) == [25]


def test_weight_norm_layers_are_the_layers():
    assert lines(GAN.replace("WRAP", "torch.nn.utils.parametrizations.weight_norm")) == [25]


def test_project_helper_returning_the_wrapped_layer():
    assert lines(GAN.replace("WRAP", "sn")) == [25]


def test_backward_before_the_step_is_fine():
    src = GAN.replace("WRAP", "nn.utils.spectral_norm").replace(
        "    d_loss.backward()\n    opt_d.step()\n    g_loss.backward()\n",
        "    d_loss.backward()\n    g_loss.backward()\n    opt_d.step()\n",
    )
    assert lines(src) == []
