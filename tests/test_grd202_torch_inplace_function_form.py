"""``torch.clamp_(x, 0.0, 1.0)`` on a convolution's output (SRGAN's last layer): nothing saved ``x``
(a convolution keeps its input and weight, not its output), and torch 2.13 backpropagates it. The
function form of an in-place op was once checked against the save of its own call (871f2e6)."""

import pytest

from snippets import findings

SOURCE = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        x = WRITE
        return x


Net()(torch.randn(1, 3, 8, 8)).sum().backward()
"""


@pytest.mark.parametrize("write", ["torch.clamp_(x, 0.0, 1.0)", "torch.relu_(x)", "x.clamp_(0.0, 1.0)"])
def test_an_in_place_write_to_a_tensor_nothing_saved_is_silent(write):
    assert findings(SOURCE.replace("WRITE", write), "GRD202") == []
