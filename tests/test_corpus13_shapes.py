"""Shapes of corpus13 (held-out training code, many taken at the commit before a public fix) that
the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case507 = case_maker("GRD507")

# ---- GRD507: a parameter annotated ``torch.Tensor`` is a tensor. A helper that splits a dataset's
# tensors (``def split(X: torch.Tensor, Y: torch.Tensor, frac)``) returns parts of them, so a
# dropped ``train_x.to(device)`` on its result is reported even though nobody in the file passes it
# a known tensor. Whether the parameter requires grad stays unknown.

SPLIT_HELPER = """\
import torch


def split(X: torch.Tensor, Y: torch.Tensor, frac: float):
    n = int(len(X) * frac)
    return X[n:], X[:n], Y[n:], Y[:n]


class Fitter:
    def fit(self, dataset, device):
        X, Y = dataset[:]
        train_x, calib_x, train_y, calib_y = split(X, Y, 0.2)
        train_x.to(device)  # expect: GRD507
        calib_y.to(device)  # expect: GRD507
        return train_x, calib_x, train_y, calib_y
"""

ANNOTATED_PARAMETER = """\
from torch import Tensor


def prepare(x: Tensor, device):
    x.to(device)  # expect: GRD507
    return x
"""

# negatives: what the annotation does not declare
OPTIONAL_PARAMETER = """\
from typing import Optional

import torch


def prepare(x: Optional[torch.Tensor], device):
    if x is not None:
        x.to(device)
    return x
"""

STRING_ANNOTATION = """\
def prepare(batch: "BatchEncoding", device):
    batch.to(device)
    return batch
"""

MODULE_PARAMETER = """\
import torch.nn as nn


def place(model: nn.Module, device):
    model.to(device)
    return model
"""

ASSIGNED_RESULT = """\
import torch


def prepare(x: torch.Tensor, device):
    x = x.to(device)
    return x
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case507("tensors-returned-by-a-split-helper-with-annotated-parameters", SPLIT_HELPER, (13, 14)),
        case507("parameter-annotated-with-imported-tensor-class", ANNOTATED_PARAMETER, (5,)),
        case507("optional-tensor-parameter", OPTIONAL_PARAMETER),
        case507("string-annotation", STRING_ANNOTATION),
        case507("module-parameter", MODULE_PARAMETER),
        case507("result-assigned", ASSIGNED_RESULT),
    ],
)
def test_grd507_annotated_tensor_parameters(src, lines):
    assert findings(src, "GRD507") == [(line, "GRD507") for line in lines]


# The annotation says nothing about gradients: rules that need a tensor that requires grad stay
# silent on it.
NO_GRAD_FACT = """\
import numpy as np
import torch


def summarise(x: torch.Tensor, history):
    total = 0.0
    for row in x:
        total += row
        history.append(row)
    return np.mean(x.numpy()), total
"""


def test_annotated_tensor_parameter_does_not_require_grad():
    assert findings(NO_GRAD_FACT) == []
