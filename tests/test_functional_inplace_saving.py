"""A functional activation written in place (``F.leaky_relu(h, 0.2, inplace=True)``) saves its result
for backward, not the input it overwrites: on a conv's output (which the conv does not save) it is
backpropagated fine under torch 2.13 (an autoencoder of deeplearning-models reported ten times as a
GRD202 false alarm). Writing so a tensor that another op saved still raises, and is still reported."""

import pytest

from snippets import findings

ENCODER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        x = self.conv1(x)
        x = ACTIVATION
        x = self.bn1(x)
        x = self.conv2(x)
        return x


Encoder()(torch.randn(2, 3, 8, 8)).sum().backward()
"""

SAVED_BY_A_PRODUCT = """\
import torch
import torch.nn.functional as F

w = torch.randn(4, requires_grad=True)
h = w * 2
y = h * h
F.leaky_relu(h, 0.2, inplace=True)
y.sum().backward()
"""


@pytest.mark.parametrize(
    "activation",
    [
        "F.leaky_relu(x, negative_slope=0.2, inplace=True)",
        "F.leaky_relu(x, 0.2, True)",
        "F.elu(x, inplace=True)",
        "F.relu(x, inplace=True)",
    ],
)
def test_an_activation_written_in_place_on_a_conv_output_is_silent(activation):
    assert findings(ENCODER.replace("ACTIVATION", activation), "GRD202") == []


def test_writing_in_place_a_tensor_another_op_saved_is_reported():
    assert findings(SAVED_BY_A_PRODUCT, "GRD202") == [(7, "GRD202")]
