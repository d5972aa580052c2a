"""``nn.Sequential`` of the project's own layers runs them in turn (``analysis/sequential_chain.py``).

A d2l exercise builds ``nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))`` where ``MyLinear.forward``
multiplies by ``self.weight.data``: nothing in the model records a graph, and ``l.backward()`` raises
"element 0 of tensors does not require grad" (GRD103). The sequential model's output used to be
the library default (a graph, since its members have parameters), so the line went unreported.
"""

import pytest

from snippets import findings, lint_path, write_project

LAYER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        linear = torch.matmul(X, WEIGHT) + BIAS
        return F.relu(linear)
"""

FIT = """

def fit(net, X, y, epochs=3):
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    loss = nn.MSELoss()
    for epoch in range(epochs):
        trainer.zero_grad()
        l = loss(net(X), y)
        l.backward()  # expect: GRD103
        trainer.step()


if __name__ == "__main__":
    net = NET
    fit(net, torch.rand(2, 64), torch.rand(2, 1))
"""


def program(net, weight="self.weight.data", bias="self.bias.data"):
    return LAYER.replace("WEIGHT", weight).replace("BIAS", bias) + FIT.replace("NET", net)


def marked(src):
    return [(n, "GRD103") for n, line in enumerate(src.splitlines(), 1) if "# expect: GRD103" in line]


def test_sequential_of_layers_that_cut_the_graph():
    src = program("nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))")
    assert findings(src, "GRD103") == marked(src) == [(23, "GRD103")]


def test_with_a_parameter_free_library_layer_between():
    src = program("nn.Sequential(MyLinear(64, 8), nn.ReLU(), MyLinear(8, 1))")
    assert findings(src, "GRD103") == marked(src)


@pytest.mark.parametrize(
    "net",
    [
        # a library layer with parameters after the cut: its output requires grad, backward() runs
        "nn.Sequential(MyLinear(64, 8), nn.Linear(8, 1))",
        # before the cut: the input of MyLinear requires grad, so does its output
        "nn.Sequential(nn.Linear(64, 64), MyLinear(64, 1))",
        # members not listed: not known
        "nn.Sequential(*[MyLinear(64, 8), MyLinear(8, 1)][:1])",
    ],
)
def test_a_graph_or_an_unknown_member_is_silent(net):
    assert findings(program(net).replace("  # expect: GRD103", ""), "GRD103") == []


def test_layers_that_keep_the_graph_are_silent():
    src = program("nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))", weight="self.weight", bias="self.bias")
    assert findings(src.replace("  # expect: GRD103", ""), "GRD103") == []


def test_sequential_of_layers_imported_from_a_sibling_module(tmp_path):
    fit = "import torch\nimport torch.nn as nn\nfrom layers import MyLinear\n" + FIT.replace(
        "NET", "nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))"
    )
    write_project(tmp_path, {"layers.py": program("MyLinear(64, 1)").split("\n\ndef fit")[0] + "\n", "fit.py": fit})
    assert lint_path(tmp_path / "fit.py", select={"GRD103"}) == [(12, "GRD103")]
