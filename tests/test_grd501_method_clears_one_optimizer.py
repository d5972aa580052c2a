"""GRD501 for a method called in a training loop (``gan.step(real)``) that steps two optimizers
and clears only one of them (code-soup #73: the discriminator's gradients were never cleared).
What the method clears is known (``self.opt_g.zero_grad()``, found in the loop's clears as
``gan.opt_g``), so it no longer excuses the optimizer it never clears. A method that clears both,
clears the model the optimizer trains, or clears under a condition (accumulation) stays silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)


def gan(d_clear="", g_clear="        self.opt_g.zero_grad()\n", mark=""):
    return (
        """\
import torch
import torch.nn as nn


class GAN:
    def __init__(self):
        self.G = nn.Linear(4, 4)
        self.D = nn.Linear(4, 1)
        self.opt_g = torch.optim.Adam(self.G.parameters())
        self.opt_d = torch.optim.Adam(self.D.parameters())

    def step(self, real):
        fake = self.G(torch.randn(2, 4))
"""
        + d_clear
        + """\
        d_loss = self.D(real).mean() - self.D(fake.detach()).mean()
        d_loss.backward()
        self.opt_d.step()"""
        + mark
        + "\n"
        + g_clear
        + """\
        g_loss = -self.D(fake).mean()
        g_loss.backward()
        self.opt_g.step()


def train(gan, loader):
    for real in loader:
        gan.step(real)


train(GAN(), [torch.randn(2, 4)] * 3)
"""
    )


POSITIVES = [
    case("method-clears-only-the-generator", gan(mark="  # expect: GRD501"), [16]),
]

NEGATIVES = [
    case("method-clears-both", gan(d_clear="        self.opt_d.zero_grad()\n")),
    case("method-clears-the-discriminator-module", gan(d_clear="        self.D.zero_grad()\n")),
    case(
        "conditional-clear-in-method",
        gan(d_clear="        if real.sum() > 0:\n            self.opt_d.zero_grad()\n"),
    ),
    case("set-to-none-keyword", gan(d_clear="        self.opt_d.zero_grad(set_to_none=True)\n")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
