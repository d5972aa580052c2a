"""Shapes met on the six largest libraries of /work/libs (session 28): each false positive's
shape stays silent, and a true positive of the nearby shape still fires. Our own minimal snippets."""

from snippets import findings

# --- GRD502: a helper of a model's forward that builds its result from a list comprehension ------
# (an attention's forward rotating its query in parts, `torch.cat([rotate(p) for p in parts])`, in a
# function of the file: the parts are the model's own output, backpropagated by the training loop)

HEADER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Scale(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, h):
        return h * self.weight


def rotate(x, cos, sin):
    return x * cos + x.flip(-1) * sin


def rotate_in_parts(x, cos, sin, n):
    xs = torch.split(x, n, dim=-1)
    cs = torch.split(cos, n, dim=-1)
    ss = torch.split(sin, n, dim=-1)
    parts = [rotate(xs[k], cs[k], ss[k]) for k in range(len(xs))]
    return torch.cat(parts, dim=-1)


"""

FIT = """

def fit(model, loader):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
"""

HELPER_OF_A_FORWARD = HEADER + """\
class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = Scale(d)

    def forward(self, h, cos, sin):
        q = self.norm(h)
        return rotate_in_parts(q, cos, sin, 4)
""" + FIT

HELPER_OF_A_MODULE_METHOD = HEADER + """\
class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = Scale(d)

    def query(self, h, cos, sin):
        return rotate_in_parts(self.norm(h), cos, sin, 4)

    def forward(self, h, cos, sin):
        return self.query(h, cos, sin)
""" + FIT

# the nearby true positive: a function of the file stacking a model's outputs over the batches of a
# loader with gradients enabled, called by the script (no module's method calls it)
PREDICTIONS_OVER_A_LOADER = HEADER + """\
def predictions(model, loader):
    outs = [model(x) for x, _ in loader]
    return torch.cat(outs)


print(predictions(Scale(4), [(torch.randn(2, 4), torch.tensor([0, 1]))]).argmax(1))
""" + FIT


def test_comprehension_of_a_forward_helper_is_silent():
    assert findings(HELPER_OF_A_FORWARD, "GRD502") == []


def test_comprehension_of_a_module_method_helper_is_silent():
    assert findings(HELPER_OF_A_MODULE_METHOD, "GRD502") == []


def test_comprehension_over_a_loader_returned_to_the_script_fires():
    assert findings(PREDICTIONS_OVER_A_LOADER, "GRD502") == [(28, "GRD502")]


# a model's method calling its own `self.predictions(...)` says nothing of the script's function of
# that name: the evaluation over the loader still fires
SAME_NAME_METHOD = PREDICTIONS_OVER_A_LOADER.replace(
    "def predictions(model, loader):",
    """class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = Scale(4)

    def predictions(self, h):
        return self.scale(h)

    def forward(self, h):
        return self.predictions(h)


def predictions(model, loader):""",
)


def test_comprehension_over_a_loader_fires_beside_a_method_of_the_same_name():
    assert findings(SAME_NAME_METHOD, "GRD502") == [(40, "GRD502")]
