"""An activation layer built in place (``nn.LeakyReLU(0.2, inplace=True)``, ``nn.ELU(inplace=True)``)
keeps its output for backward, where the out-of-place layer keeps its input (checked with torch
2.13): an in-place write to that output (``h.mul_(2)``, ``F.dropout(h, 0.3, inplace=True)``, the
dreamgonfly/GAN-tutorial #1 discriminator) raises at backward. GRD202; the same writes after the
out-of-place layer, or ``inplace=False``, stay silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


def script(layer, write):
    return (
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
"""
        + f"        self.act = {layer}\n"
        + """\
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        h = self.act(self.fc1(x))
"""
        + f"        {write}\n"
        + """\
        return self.fc2(h)


critic = Critic()
critic(torch.randn(4, 8)).sum().backward()
"""
    )


POSITIVES = [
    case("leaky-relu-then-dropout", script("nn.LeakyReLU(0.2, inplace=True)", "h = F.dropout(h, 0.3, self.training, inplace=True)  # expect: GRD202"), [15]),
    case("leaky-relu-positional-flag", script("nn.LeakyReLU(0.2, True)", "h.mul_(2)  # expect: GRD202"), [15]),
    case("elu-then-mul", script("nn.ELU(inplace=True)", "h.mul_(2)  # expect: GRD202"), [15]),
]

NEGATIVES = [
    case("leaky-relu-out-of-place", script("nn.LeakyReLU(0.2)", "h = F.dropout(h, 0.3, self.training, inplace=True)")),
    case("inplace-false", script("nn.LeakyReLU(0.2, inplace=False)", "h.mul_(2)")),
    case("relu6-inplace-keeps-nothing-written", script("nn.ReLU6(inplace=True)", "h.mul_(2)")),
    case("out-of-place-dropout", script("nn.LeakyReLU(0.2, inplace=True)", "h = F.dropout(h, 0.3, self.training)")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
