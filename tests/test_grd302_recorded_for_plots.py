"""GRD302: a seed made a non-leaf by ``.to(device)`` that the function only uses as an operand and records in a
local list kept in a field for plots (``self.node_scores = list(reversed(scores))``) is never asked whether it
is a leaf, unless the file reads the recorded elements' ``.grad`` or hands the field to an optimizer."""

from snippets import findings

ATTRIBUTION = """\
import torch
from torch import nn


class Scorer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.width = width
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(width, width[1:]))
        self.device = "cpu"

    def attribute(self):
        scores = []
        score = torch.ones(self.width[-1]).requires_grad_(True).to(self.device)
        scores.append(score)
        for layer in reversed(self.layers):
            edge = layer.weight.abs() * score
            score = edge.sum(0) / edge.shape[0]
            scores.append(score)
        self.node_scores = list(reversed(scores))
{extra}"""

PLOT = """
    def plot(self):
        for level, values in enumerate(self.node_scores):
            print(level, values.tolist())
"""

GRAD_READ = """
    def plot(self):
        for level, values in enumerate(self.node_scores):
            print(level, values.grad)
"""

OPTIMIZED = """
    def tune(self):
        return torch.optim.SGD(self.node_scores, lr=0.1)
"""


def test_seed_recorded_for_plots():
    assert findings(ATTRIBUTION.format(extra=PLOT), "GRD302") == []


def test_recorded_elements_grad_read():
    assert findings(ATTRIBUTION.format(extra=GRAD_READ), "GRD302") == [(14, "GRD302")]


def test_recorded_field_optimized():
    assert findings(ATTRIBUTION.format(extra=OPTIMIZED), "GRD302") == [(14, "GRD302")]


def test_list_returned_instead():
    returned = ATTRIBUTION.replace("        self.node_scores = list(reversed(scores))\n", "        return scores\n")
    assert findings(returned.format(extra=""), "GRD302") == [(14, "GRD302")]


def test_list_handed_to_another_call():
    handed = ATTRIBUTION.replace("        self.node_scores = list(reversed(scores))\n", "        self.keep(scores)\n")
    assert findings(handed.format(extra=""), "GRD302") == [(14, "GRD302")]
