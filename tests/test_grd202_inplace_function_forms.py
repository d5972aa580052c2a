"""GRD202 on the function forms of in-place tensor methods, ``torch.relu_(h)``, ``torch.sigmoid_(h)``,
``F.relu_(h)``: each writes its first argument in place and returns it, as ``h.relu_()`` does. The rule
took ``torch`` (the callee's owner) for the tensor written, and the analysis valued the call as an op
that saves its argument; now it is the method's write into the argument (``TorchSemantics._inplace_function``).
Each positive raises at backward() under torch 2.13 (checked); the write into a convolution's output,
which nothing saved, stays silent (tests/test_grd202_torch_inplace_function_form.py)."""

import pytest

from snippets import findings

SOURCE = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        h = SAVING(self.fc(x))
        WRITE
        return h
"""


@pytest.mark.parametrize(
    "saving,write",
    [
        ("torch.sigmoid", "torch.relu_(h)"),
        ("torch.tanh", "F.relu_(h)"),
        ("torch.exp", "torch.clamp_(h, 0.0, 1.0)"),
        ("torch.sigmoid", "torch.nn.functional.elu_(h)"),
    ],
)
def test_a_function_form_writing_a_tensor_an_op_saved_is_reported(saving, write):
    src = SOURCE.replace("SAVING", saving).replace("WRITE", write)
    assert findings(src, "GRD202") == [(14, "GRD202")]


@pytest.mark.parametrize("write", ["torch.relu_(h)", "F.relu_(h)", "torch.clamp_(h, 0.0, 1.0)"])
def test_the_same_write_into_what_nothing_saved_is_silent(write):
    # `nn.Linear` saves its input, not its output
    src = SOURCE.replace("SAVING(self.fc(x))", "self.fc(x)").replace("WRITE", write)
    assert findings(src, "GRD202") == []


def test_the_result_of_the_function_form_is_its_argument():
    # `g = torch.relu_(h)` is `h`: a later write through `g` writes what sigmoid saved
    src = SOURCE.replace("SAVING", "torch.sigmoid").replace("WRITE", "g = torch.relu_(h.clone())\n        g.mul_(2)")
    assert findings(src, "GRD202") == []


def test_a_torch_init_function_is_no_write_of_torch():
    src = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        nn.init.zeros_(self.fc.bias)
        torch.nn.init.xavier_uniform_(self.fc.weight)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))
"""
    assert findings(src, "GRD202") == []
