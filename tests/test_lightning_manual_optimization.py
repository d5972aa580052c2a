"""Lightning's manual optimization (``self.automatic_optimization = False``): Lightning calls
``training_step`` once per batch and leaves backward, steps and clears to it, so the method is the
body of a training loop. ``self.optimizers()`` gives what ``configure_optimizers()`` returns.

A GAN step that clears only the generator's optimizer steps the discriminator's with every past
gradient (GRD501). With automatic optimization Lightning clears gradients itself: nothing to say.
"""

import pytest

from snippets import findings

GAN = """\
import torch
import torch.nn as nn
import lightning as L


class GAN(L.LightningModule):
    def __init__(self):
        super().__init__()
{manual}        self.G = nn.Linear(4, 4)
        self.D = nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        g_opt, d_opt = self.optimizers()
        fake = self.G(batch)
{clear_d}        d_loss = self.D(fake.detach()).mean() - self.D(batch).mean()
        self.manual_backward(d_loss)
        d_opt.step()
        g_opt.zero_grad()
        g_loss = -self.D(fake).mean()
        self.manual_backward(g_loss)
        g_opt.step()

    def configure_optimizers(self):
        {returns}
"""

MANUAL = "        self.automatic_optimization = False\n"
CLEAR_D = "        d_opt.zero_grad()\n"
PAIR = "return torch.optim.Adam(self.G.parameters()), torch.optim.Adam(self.D.parameters())"
WITH_SCHEDULERS = (
    "g = torch.optim.Adam(self.G.parameters())\n        d = torch.optim.Adam(self.D.parameters())\n"
    "        return [g, d], [torch.optim.lr_scheduler.StepLR(g, 10)]"
)


def _steps(manual=MANUAL, clear_d="", returns=PAIR):
    source = GAN.format(manual=manual, clear_d=clear_d, returns=returns)
    return [source.splitlines()[line - 1].strip() for line, _ in findings(source, "GRD501")]


@pytest.mark.parametrize("returns", [PAIR, WITH_SCHEDULERS])
def test_a_manual_step_that_never_clears_an_optimizer_reports(returns):
    assert _steps(returns=returns) == ["d_opt.step()"]


def test_a_manual_step_clearing_every_optimizer_is_silent():
    assert _steps(clear_d=CLEAR_D) == []


def test_automatic_optimization_is_silent():
    assert _steps(manual="") == []
