"""Shapes of the session-25 precision sweep (pkgs7: PyPI packages with PyTorch training and
evaluation code, never linted before) that a rule reported although nothing was wrong.

Our own snippets, each a complete program, of the same shapes.
"""

from snippets import findings

# ---- GRD302: `.detach()` applied to the leaf just made (a quantization exporter's
# `torch.nn.Parameter(layer.get_quantized_weights()[name]).detach()`): the result is a leaf that
# does not require grad, which the author asked for; nothing is meant to train or be read as `.grad`.

DETACHED_PARAMETER = """\
import torch
import torch.nn as nn


def freeze_quantized(layer: nn.Linear, codes: torch.Tensor) -> None:
    constant = nn.Parameter(codes * 0.5).detach()
    del layer.weight
    layer.weight = nn.Parameter(constant)
    scale = torch.ones(3, requires_grad=True).detach_()
    layer.register_buffer("scale", scale)
"""

MOVED_PARAMETER = """\
import torch
import torch.nn as nn


class Head(nn.Module):
    def __init__(self, device):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(3)).to(device)  # expect: GRD302
"""


def test_grd302_silent_on_a_detached_fresh_leaf():
    assert findings(DETACHED_PARAMETER, "GRD302") == []


def test_grd302_still_reports_a_moved_parameter():
    assert findings(MOVED_PARAMETER, "GRD302") == [(8, "GRD302")]


# ---- GRD507: `tensor.type()` with no dtype (a 2:4 sparsity mask builder, a leftover debugging
# line) returns the type's name, a string: the statement does nothing, but it is no conversion
# thrown away, and the suggested `tensor = tensor.type()` would bind a string.

TYPE_QUERY = """\
import torch


def mask_of(weight: torch.Tensor) -> torch.Tensor:
    shape = weight.shape
    weight.type()
    flat = weight.float().contiguous().view(-1, shape[-1])
    return flat.abs() > flat.abs().mean()
"""

TYPE_CONVERSION = """\
import torch


def mask_of(weight: torch.Tensor) -> torch.Tensor:
    shape = weight.shape
    weight.type(torch.float32)  # expect: GRD507
    flat = weight.view(-1, shape[-1])
    return flat.abs() > flat.abs().mean()
"""


def test_grd507_silent_on_a_type_query():
    assert findings(TYPE_QUERY, "GRD507") == []


def test_grd507_still_reports_a_dropped_type_conversion():
    assert findings(TYPE_CONVERSION, "GRD507") == [(6, "GRD507")]
