"""GRD202: an ``nn.Sequential`` of the project's conv-bn-activation blocks whose last block ends in
``return self.act(...)`` with ``self.act = nn.ReLU()``: the Sequential's output is the ReLU's, which
autograd saved, so adding the shortcut into it in place raises at backward() (a CSP block switched to
ReLU). Silent when the last block returns its BatchNorm output (nothing saved it), or when its
activation is chosen by a flag the walk does not know."""

from snippets import case_maker, rule_tests

case = case_maker("GRD202")

_BLOCKS = """
import torch
import torch.nn as nn


class ConvBNAct(nn.Module):
    def __init__(self, c_in, c_out, k):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = {act}

    def forward(self, x):
        {ret}


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.block = nn.Sequential(ConvBNAct(c, c, 1), ConvBNAct(c, c, 3))

    def forward(self, x):
        out = self.block(x)
        out += x{mark}
        return out


net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), Residual(8))
net(torch.randn(2, 3, 8, 8)).mean().backward()
"""

_RELU_RETURN = "return self.act(self.bn(self.conv(x)))"

POSITIVES = [
    case(
        "last_block_ends_in_relu",
        _BLOCKS.format(act="nn.ReLU()", ret=_RELU_RETURN, mark="  # expect: GRD202"),
        lines=(24,),
    ),
    case(
        "last_block_ends_in_sigmoid",
        _BLOCKS.format(act="nn.Sigmoid()", ret=_RELU_RETURN, mark="  # expect: GRD202"),
        lines=(24,),
    ),
]

NEGATIVES = [
    case(
        "last_block_returns_batchnorm_output",
        _BLOCKS.format(act="nn.ReLU()", ret="return self.bn(self.act(self.conv(x)))", mark=""),
    ),
    case("activation_chosen_by_a_flag", _BLOCKS.format(act="nn.ReLU() if k == 1 else nn.Identity()", ret=_RELU_RETURN, mark="")),
    case("leaky_relu_saves_its_input", _BLOCKS.format(act="nn.LeakyReLU(0.1)", ret=_RELU_RETURN, mark="")),
]

test_fires, test_silent = rule_tests("GRD202", POSITIVES, NEGATIVES)
