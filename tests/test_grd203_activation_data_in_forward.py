"""GRD203: inside a module's forward, an activation written through ``.data`` after the op that made
it saved it (``sigmoid``, ``tanh`` and ``exp`` save their output), when the forward returns a value
computed from it: the backward() of that output, wherever it runs, uses the modified values and the
gradients are silently wrong (a sigmoid gate kept away from 0 and 1 through ``.data``). Silent when
the written value never reaches the output, or when its op saved nothing (a Linear's output)."""

from snippets import case_maker, rule_tests

case = case_maker("GRD203")

_GATE = """
import torch
import torch.nn as nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(4))
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
{body}


layer = Gate()
layer(torch.ones(2, 4)).sum().backward()
print(layer.logits.grad)
"""


def _body(lines):
    return "\n".join("        " + line for line in lines.splitlines())


POSITIVES = [
    case(
        "sigmoid_gate_clamped_through_an_alias",
        _GATE.format(
            body=_body("gate = self.logits.sigmoid()\ng = gate.data\ng.clamp_(0.1, 0.9)  # expect: GRD203\nreturn x * gate")
        ),
        lines=(15,),
    ),
    case(
        "tanh_output_scaled_through_data",
        _GATE.format(body=_body("h = torch.tanh(self.fc(x))\nh.data.mul_(0.5)  # expect: GRD203\nreturn h * self.logits")),
        lines=(14,),
    ),
]

NEGATIVES = [
    case(
        "written_value_not_in_the_output",
        _GATE.format(
            body=_body(
                "gate = self.logits.sigmoid()\ngate.data.clamp_(0.1, 0.9)\nself.mean_gate = gate.mean().item()\n"
                "return x * 2 + self.fc(x)"
            )
        ),
    ),
    case(
        "linear_output_saved_by_nothing",
        _GATE.format(body=_body("h = self.fc(x)\nh.data.clamp_(-1.0, 1.0)\nreturn h * self.logits")),
    ),
    case(
        "out_of_place_clamp",
        _GATE.format(body=_body("gate = torch.clamp(self.logits.sigmoid(), 0.1, 0.9)\nreturn x * gate")),
    ),
]

test_fires, test_silent = rule_tests("GRD203", POSITIVES, NEGATIVES)
