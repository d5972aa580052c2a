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
