"""Shapes of third-party code (corpus14 held-out, precision24 sweep) that the analysis misjudged.

Our own snippets, each a complete program.
"""

from snippets import findings

# ---- GRD503: a module call is taken to give a tensor that requires grad. A forward of the file's
# own may give Python numbers instead (knowledge-neurons' BertForMaskedLM returns, for
# imp_op="return", a list of `.item()` floats gathered by its intermediate layers): `np.array(outputs)`
# then converts floats, nothing raises.

HEAD = """\
import numpy as np
import torch
from torch import nn

"""

LOOP = """
model = Net()
model.eval()
out = []
for x in [torch.randn(1, 3) for _ in range(4)]:
    out.append(model(x, op={op}))
arr = np.array(out)
"""

# the branch the call takes returns a list comprehension of floats
COMPREHENSION = HEAD + """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, op=None):
        h = self.lin(x)
        if op == "return":
            return [v.item() for v in h[0]]
        return h
"""

# a list the forward fills with floats, the mode a variable of the caller (both paths possible)
APPENDED = HEAD + """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, op=None):
        h = self.lin(x)
        found = []
        if op == "return":
            for i in range(3):
                found.append(h[0, i].item())
            return found
        return h
"""

# the floats come up from a layer four module calls down (deeper than the walk of calls goes)
NESTED = HEAD + """\
class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, op=None):
        h = self.lin(x)
        if op == "return":
            found = []
            for i in range(3):
                found.append(h[0, i].item())
            return h, found
        return h


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scorer = Scorer()

    def forward(self, x, op=None):
        if op == "return":
            h, found = self.scorer(x, op=op)
            return h, h, found
        return self.scorer(x, op=op), h


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block() for _ in range(2)])

    def forward(self, x, op=None):
        found = []
        for i, block in enumerate(self.blocks):
            if op == "return":
                x, _, part = block(x, op=op)
                found.extend(part)
            else:
                x, _ = block(x, op=op)
        if op == "return":
            return x, found
        return x


class Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.stack = Stack()

    def forward(self, x, op=None):
        if op == "return":
            h, found = self.stack(x, op=op)
            return h, h, found
        return self.stack(x, op=op), x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = Body()
        self.head = nn.Linear(3, 2)

    def forward(self, x, op=None):
        if op == "return":
            last, _, found = self.body(x, op=op)
            return found
        last, _ = self.body(x, op=op)
        return self.head(last)
"""

# the same model with every path returning tensors: the list holds grad tensors
TENSORS = HEAD + """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, op=None):
        h = self.lin(x)
        if op == "return":
            return h.sum(1)
        return h
"""


def test_forward_giving_floats_on_the_called_path():
    assert findings(COMPREHENSION + LOOP.format(op='"return"'), "GRD503") == []


def test_forward_giving_floats_on_some_path():
    assert findings(APPENDED + LOOP.format(op='"return"'), "GRD503") == []
    # the caller's mode is not known: the floats' path may be the one taken
    assert findings(APPENDED + "mode = input()\n" + LOOP.format(op="mode"), "GRD503") == []


MAIN = """
def main():
    model = Net()
    model.eval()
    out = []
    for x in [torch.randn(1, 3) for _ in range(4)]:
        out.append(model(x, op={op}))
    return np.array(out)


if __name__ == "__main__":
    main()
"""


def test_floats_from_a_layer_deeper_than_the_walk():
    assert findings(NESTED + LOOP.format(op='"return"'), "GRD503") == []
    # called from main(): the walk of the nested forwards stops one call sooner
    assert findings(NESTED + MAIN.format(op='"return"'), "GRD503") == []


def test_forward_giving_tensors_still_reported():
    src = TENSORS + LOOP.format(op='"return"')
    assert findings(src, "GRD503") == [(len(src.splitlines()), "GRD503")]
    # the nested model called for its head's output (the mode a literal the tests resolve) gives one
    src = NESTED + LOOP.format(op='"logits"')
    assert findings(src, "GRD503") == [(len(src.splitlines()), "GRD503")]


# ---- GRD508: `optimizer.backward(loss)` of a wrapper optimizer (ColossalAI's zero_optim_wrapper, apex's
# FP16_Optimizer) is the backward between zero_grad() and step() (colossalai
# tests/test_auto_parallel/test_tensor_shard/test_compatibility_with_gemini.py).

WRAPPED_OPTIMIZER = """\
import torch
from torch import nn
from fancy.optim import FusedAdam
from fancy.zero import wrap_optimizer


def check(x):
    model = nn.Linear(4, 4)
    model(x).sum().backward()
    reference = model.weight.grad.clone()
    optimizer = FusedAdam(model.parameters(), betas=(0, 0))
    {wrap}
    loss = model(x).sum()
    optimizer.zero_grad()
    optimizer.backward(loss)
    optimizer.step()
    return reference
"""


def test_wrapper_optimizer_backward_counts_as_backward():
    for wrap in ("optimizer = wrap_optimizer(model, optimizer, initial_scale=1)", "pass"):
        assert findings(WRAPPED_OPTIMIZER.format(wrap=wrap), "GRD508") == []
    # without it, the step applies no gradient (reported at the clear)
    src = WRAPPED_OPTIMIZER.format(wrap="pass").replace("    optimizer.backward(loss)\n", "")
    assert findings(src, "GRD508") == [(14, "GRD508")]


# ---- GRD401: `self.requires_grad = flag` in the constructor of a module whose base class defines a
# `requires_grad` property (fastNLP's TokenEmbedding: its setter sets every parameter's flag).

PROPERTY_BASE = """\
import torch
from torch import nn


class FlaggedEmbedding(nn.Module):
    @property
    def requires_grad(self):
        return all(p.requires_grad for p in self.parameters())

    @requires_grad.setter
    def requires_grad(self, value):
        for p in self.parameters():
            p.requires_grad = value


class CharEmbedding({base}):
    def __init__(self, n, dim, requires_grad=True):
        super().__init__()
        self.embed = nn.Embedding(n, dim)
        self.fc = nn.Linear(dim, dim)
        self.requires_grad = requires_grad

    def forward(self, x):
        return self.fc(self.embed(x))
"""


def test_requires_grad_property_of_a_base_class():
    assert findings(PROPERTY_BASE.format(base="FlaggedEmbedding"), "GRD401") == []
    # on nn.Module itself the assignment sets an attribute only
    assert findings(PROPERTY_BASE.format(base="nn.Module"), "GRD401") == [(21, "GRD401")]


# ---- GRD505: forwards that need grad mode. CHGNet's forward takes forces as autograd.grad of the
# energy in a method it calls (`self._compute(...)`), and its trainer's validation loop makes the
# atoms' positions, held by graph objects, require grad: no_grad would make both raise.

SELF_METHOD_GRAD = """\
import torch
from torch import nn


class Potential(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Linear(3, 1)

    def forward(self, positions):
        return self._compute(positions)

    def _compute(self, positions):
        energy = self.mlp(positions).sum()
        {forces}
        return energy, forces

    def predict(self, batches):
        self.eval()
        out = []
        for positions in batches:
            energy, forces = self.forward(positions.requires_grad_())
            out.append((energy.item(), forces.detach()))
        return out
"""

FIELD_INPUTS = """\
import torch
from torch import nn
from chem.data import GraphLoader
from chem.model import Potential


def validate(model: nn.Module, loader: GraphLoader):
    model.eval()
    errors = []
    for graphs, targets in loader:
        for graph in graphs:
            graph.positions.requires_grad = {flag}
        prediction = model(graphs)
        errors.append(float((prediction - targets).abs().mean()))
    return errors
"""


def test_forward_taking_gradients_in_a_method_of_its_class():
    grad = "forces = torch.autograd.grad(energy, positions, create_graph=True)[0]"
    assert findings(SELF_METHOD_GRAD.format(forces=grad), "GRD505") == []
    # a method that takes no gradient: the evaluation forward keeps its graph for nothing
    src = SELF_METHOD_GRAD.format(forces="forces = positions * 0")
    assert findings(src, "GRD505") == [(22, "GRD505")]


def test_loop_making_object_tensors_require_grad():
    assert findings(FIELD_INPUTS.format(flag="True"), "GRD505") == []
    assert findings(FIELD_INPUTS.format(flag="False"), "GRD505") == [(13, "GRD505")]
