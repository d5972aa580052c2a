"""GRD102: leaves made from the weights of a module built only for them are parameters, not a cut.

``init = nn.Linear(3, 2)`` whose scope reads nothing of it but ``init.weight.data`` and
``init.bias.data`` is never run: the new leaves are a functional layer's own parameters, initialised
as the layer would be (MAML-style code), and backward() reaches them. Re-wrapping the weights of a
module that is run (or handed on) still cuts that module off.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

FUNCTIONAL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class FunctionalLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        init = nn.Linear(n_in, n_out)
        self.w = Variable(init.weight.data, requires_grad=True)
        self.b = Variable(init.bias.data, requires_grad=True)

    def forward(self, x):
        return F.linear(x, self.w, self.b)


layer = FunctionalLinear(3, 2)
loss = layer(torch.randn(4, 3)).pow(2).sum()
loss.backward()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD102"]])]


def test_weights_of_a_module_built_only_for_them():
    assert lines(FUNCTIONAL) == []


def test_weights_of_a_module_that_also_runs():
    src = FUNCTIONAL.replace(
        "        self.b = Variable(init.bias.data, requires_grad=True)\n",
        "        self.b = Variable(init.bias.data, requires_grad=True)\n        self.probe = init(torch.zeros(1, n_in))\n",
    )
    assert lines(src) == [11, 12]


def test_rewrapped_output_of_a_model_is_still_reported():
    src = """\
import torch
import torch.nn as nn
from torch.autograd import Variable

net = nn.Linear(3, 2)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
out = net(torch.randn(4, 3))
loss = Variable(out.data, requires_grad=True).pow(2).sum()
loss.backward()
opt.step()
"""
    assert lines(src) == [8]
