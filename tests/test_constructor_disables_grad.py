"""A class whose ``__init__`` calls ``torch.set_grad_enabled(False)`` as a statement: the switch is
global and outlasts the constructor, so the other methods of its objects run without gradients
(corpus37, an image-translation evaluator writing its generator's outputs). Their grad mode is
unknown to the analysis, not on: the outputs a sampling loop collects and converts are no graphs.
The switch under a condition, set to True, or absent leaves the methods in grad mode."""

from snippets import findings

_EVALUATOR = """
import torch
import torch.nn as nn


class Painter(nn.Module):
    def __init__(self, styles):
        super().__init__()
        self.body = nn.Conv2d(3 + styles, 3, 3, padding=1)

    def forward(self, x, style):
        s = style[:, :, None, None].expand(-1, -1, x.size(2), x.size(3))
        return torch.tanh(self.body(torch.cat([x, s], dim=1)))


class Evaluator:
    def __init__(self, styles, batches, quiet):
        self.styles = styles
        self.batches = batches
        self.painter = Painter(styles.size(1))
{switch}
    def run(self):
        results = []
        for x in self.batches:
            row = [x]
            for style in self.styles:
                out = self.painter(x, style.expand(x.size(0), -1))
                row.append(out)
            results.append(out.numpy())
        return results


evaluator = Evaluator(torch.eye(3), [torch.randn(2, 3, 8, 8)], quiet=True)
print(len(evaluator.run()))
"""


def _codes(switch):
    return sorted({code for _, code in findings(_EVALUATOR.format(switch=switch), "GRD502", "GRD503")})


def test_switch_in_the_constructor_body():
    assert _codes("        torch.set_grad_enabled(False)\n") == []


def test_switch_by_keyword():
    assert _codes("        torch.autograd.set_grad_enabled(mode=False)\n") == []


def test_no_switch_keeps_the_findings():
    assert _codes("") == ["GRD502", "GRD503"]


def test_switch_turning_gradients_on_keeps_the_findings():
    assert _codes("        torch.set_grad_enabled(True)\n") == ["GRD502", "GRD503"]


def test_conditional_switch_keeps_the_findings():
    assert _codes("        if quiet:\n            torch.set_grad_enabled(False)\n") == ["GRD502", "GRD503"]
