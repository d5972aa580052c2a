"""Optimizers handed to a trainer's constructor with the models they train (``handed_optimizers``).

``BiGAN(D, G, d_optim, g_optim)``, the optimizers built by the caller over ``D.parameters()`` and
``G.parameters()``: inside the class the discriminator is ``self.D``, and ``self.d_optim.step()``
before a backward() through ``self.D`` raises (torch 2.13: "one of the variables needed for
gradient computation has been modified by an inplace operation"; corpus28 axeloh/gan-pytorch
bigan.py:98 and the same shape in this file's snippets, checked at run time). The caller may be
in the same file or in another one (a ``main.py`` beside the class's module), and the step may be
in a method the trainer's loop calls on ``self``.
"""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes, lint_text
from gradlint.rules import BY_CODE

GAN = """\
import torch
import torch.nn as nn


class PairGAN:
    def __init__(self, discriminator, generator, d_optim, g_optim):
        self.D = discriminator
        self.G = generator
        self.d_optim = d_optim
        self.g_optim = g_optim

    def train(self, loader, n_epochs):
        for epoch in range(n_epochs):
            for batch in loader:
                self._train_step(batch)

    def _train_step(self, batch):
        x_fake = self.G(torch.randn(batch.size(0), 2))
        d_real = self.D(batch)
        d_fake = self.D(x_fake)
        d_loss = -torch.mean(torch.log(d_real) + torch.log(1 - d_fake))
        g_loss = -torch.mean(torch.log(d_fake))
        d_loss.backward(retain_graph=True)
        self.d_optim.step()
        g_loss.backward()
        self.g_optim.step()
        self.d_optim.zero_grad()
        self.g_optim.zero_grad()
"""

# the look-alike that runs: every backward() before the steps
GAN_BACKWARDS_FIRST = GAN.replace(
    "        self.d_optim.step()\n        g_loss.backward()\n",
    "        g_loss.backward()\n        self.d_optim.step()\n",
)

MAIN = """\
import torch
import torch.nn as nn
from gan import PairGAN

D = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid())
G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 4))
d_optim = torch.optim.Adam(D.parameters(), lr=1e-3)
g_optim = torch.optim.Adam(G.parameters(), lr=1e-3)
gan = PairGAN(D, G, d_optim, g_optim)
gan.train([torch.randn(5, 4) for _ in range(3)], 2)
"""

MAIN_IN_FILE = MAIN.replace("from gan import PairGAN\n", "")


def grd205_in_one_file(gan_source):
    src = gan_source + "\n\n" + MAIN_IN_FILE.replace("import torch\nimport torch.nn as nn\n", "")
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD205"]])]


def test_step_of_a_handed_optimizer_before_a_backward_through_its_model_in_one_file():
    assert grd205_in_one_file(GAN) == [25]


def test_backwards_before_the_steps_stay_silent_in_one_file():
    assert grd205_in_one_file(GAN_BACKWARDS_FIRST) == []


def _lint_project(tmp_path, gan_source):
    (tmp_path / "gan.py").write_text(textwrap.dedent(gan_source))
    (tmp_path / "main.py").write_text(textwrap.dedent(MAIN))
    forget_projects()
    path = tmp_path / "gan.py"
    return [f.line for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD205"]])]


def test_a_caller_in_another_file_hands_the_optimizers_and_models(tmp_path):
    assert _lint_project(tmp_path, GAN) == [25]


def test_backwards_before_the_steps_stay_silent_with_a_caller_elsewhere(tmp_path):
    assert _lint_project(tmp_path, GAN_BACKWARDS_FIRST) == []
