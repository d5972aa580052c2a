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


MC_DROPOUT = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def mc_dropout(h, p=0.5, mask=True):
    return F.dropout(h, p=p, training=mask, inplace=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 1)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.fc1(x)
        x = mc_dropout(x, p=0.1)
        x = self.act(x)
        return self.fc2(x)


Net()(torch.randn(2, 4)).sum().backward()
"""


def test_dropout_in_place_keeps_its_mask_not_its_result():
    # a ReLU written in place after it is backpropagated fine (torch 2.13): nothing saved the dropout's result
    assert findings(MC_DROPOUT, "GRD202") == []


def test_writing_in_place_a_tensor_another_op_saved_is_reported():
    assert findings(SAVED_BY_A_PRODUCT, "GRD202") == [(7, "GRD202")]
