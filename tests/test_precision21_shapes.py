"""Shapes from the session-21 precision sweep (library code nobody here wrote), as small programs.

- A positional encoding of the project's own that reads only ``x.size(1)`` and returns a slice of
  its buffer (or ``x + pe``) keeps nothing of ``x`` for backward: ``x += self.pos(x)`` after it is
  safe (pypots' DataEmbedding, no GRD202). A module whose forward multiplies its input by a weight
  keeps it, and the same in-place write still reports.
"""

from snippets import findings

POSITIONAL = """\
import torch
import torch.nn as nn


class Encoding(nn.Module):
    def __init__(self, d, n=100):
        super().__init__()
        self.register_buffer("table", torch.randn(1, n, d))
        self.w = nn.Parameter(torch.ones(d))

    def forward(self, x, only=False):
{body}


class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.pos = Encoding(d)

    def forward(self, x):
        x = self.proj(x)
        x += self.pos(x, only=True)
        return x


net = Net(4)
net(torch.randn(2, 5, 4)).sum().backward()
"""


def _positional(*lines):
    source = POSITIONAL.format(body="\n".join("        " + line for line in lines))
    return [(source.splitlines()[line - 1].strip(), code) for line, code in findings(source, "GRD202")]


WRITE = "x += self.pos(x, only=True)"


def test_a_forward_that_reads_only_the_size_of_its_input_saves_nothing():
    assert _positional("pe = self.table[:, : x.size(1)].clone().detach()", "if only:", "    return pe", "return x + pe") == []


def test_a_forward_that_reads_the_shape_of_its_input_saves_nothing():
    assert _positional("n = x.shape[1]", "if x is None or len(x) == 0:", "    return self.table", "return self.table[:, :n]") == []


def test_a_forward_that_multiplies_its_input_still_saves_it():
    assert _positional("n = x.size(1)", "return x[:, :n] * self.w") == [(WRITE, "GRD202")]


def test_a_forward_that_passes_its_input_to_an_op_still_saves_it():
    assert _positional("return torch.pow(x, 2) + self.table[:, : x.size(1)]") == [(WRITE, "GRD202")]


SCRIPT = """\
import torch

w = torch.randn(4, 3, requires_grad=True)
x = torch.randn(8, 4, requires_grad=True).double()
out = x @ w.double()
g = torch.randn_like(out)
{use}
"""


def test_a_script_that_only_differentiates_a_moved_input_loses_nothing():
    # neuromancer slim/butterfly/benchmark.py: `x = torch.randn(b, n, requires_grad=True).to('cuda')`,
    # then timed `torch.autograd.grad(output, (twiddle, x), grad)` at module level
    assert findings(SCRIPT.format(use="gx, gw = torch.autograd.grad(out, (x, w), g)"), "GRD302") == []


def test_a_script_that_reads_the_grad_of_the_moved_input_still_reports():
    assert findings(SCRIPT.format(use="out.backward(g)\nprint(x.grad)"), "GRD302") == [(4, "GRD302")]


def test_a_function_of_the_script_that_reads_the_grad_still_reports():
    use = "torch.autograd.grad(out, (x, w), g)\n\n\ndef show():\n    print(x.grad)"
    assert findings(SCRIPT.format(use=use), "GRD302") == [(4, "GRD302")]


EVALUATE = """\
import torch
import torch.nn as tnn
{imports}


def evaluate(path, batches):
    module = {make}
    module.train(False)
    correct = 0
    for x, y in batches:
        out = module.forward(x)
        correct += int((out.argmax(1) == y).sum())
    return correct
"""


def test_a_module_of_another_framework_is_no_torch_module():
    # fedml cross_device/server_mnn/fedml_aggregator.py:243: an MNN module switched with train(False)
    source = EVALUATE.format(imports="import MNN\nnn = MNN.nn", make="nn.load_module_from_file(path, [], [])")
    assert findings(source, "GRD505") == []
    source = EVALUATE.format(imports="import paddle", make="paddle.jit.load(path)")
    assert findings(source, "GRD505") == []


def test_a_torch_module_switched_the_same_way_still_reports():
    source = EVALUATE.format(imports="import MNN", make="tnn.Linear(4, 3)")
    assert findings(source, "GRD505") == [(11, "GRD505")]


DENSE = """\
import torch
import torch.nn as nn


class Dense(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, 1)

    def forward(self, x):
        return {returned}


class Guest(object):
    def __init__(self, n):
        self.dense = Dense(n)
        self.parts = []
        self.criterion = nn.BCEWithLogitsLoss()

    def fit(self, x, y):
        self.k_u = self.dense.forward(x)
        self.compute(y)

    def compute(self, y):
        u = self.k_u
        for part in self.parts:
            u = u + part
        u = torch.tensor(u, requires_grad=True).float()
        loss = self.criterion(u, torch.tensor(y).type_as(u))
        self.top = torch.autograd.grad(outputs=loss, inputs=u)[0].numpy()


Guest(3).fit(torch.randn(2, 3), [[1.0], [0.0]])
"""


def test_a_forward_that_gives_back_a_numpy_array_gives_no_graph():
    # fedml classical_vertical_fl/party_models.py:61: DenseModel.forward returns `....detach().numpy()`,
    # the guest party wraps it as a new leaf to send the gradient on (no GRD102)
    assert findings(DENSE.format(returned="self.fc(x).detach().numpy()"), "GRD102") == []


def test_a_forward_that_gives_back_its_tensor_still_reports():
    assert findings(DENSE.format(returned="self.fc(x)"), "GRD102") == [(28, "GRD102")]


HOOKED = """\
import torch
import torch.nn as nn


def fit(model, loader):
    model.eval()
    shapes = []
{loop}
    return shapes
"""

LOOP = """\
    for x in loader:
        out = model(x)
        shapes.append(out.shape)
"""


def test_forwards_under_an_explicit_enable_grad_are_wanted():
    # pytorch_ood detector/nac.py:207: an eval-mode model run under `with torch.enable_grad():`
    # so that hooked activations can be differentiated (no GRD505)
    loop = "    with torch.enable_grad():\n" + "".join("    " + line + "\n" for line in LOOP.splitlines())
    assert findings(HOOKED.format(loop=loop), "GRD505") == []
    loop = LOOP.replace("        out = model(x)", "        with torch.set_grad_enabled(True):\n            out = model(x)")
    assert findings(HOOKED.format(loop=loop), "GRD505") == []


def test_the_same_loop_with_the_default_mode_still_reports():
    assert findings(HOOKED.format(loop=LOOP), "GRD505") == [(9, "GRD505")]


BISECTION = """\
import torch
import torch.nn.functional as F


def temperature(logits, labels, lower=0.01, upper=5.0):
    t = torch.tensor([0.5 * (lower + upper)]).requires_grad_()
    while upper - lower > 1e-4:
        if {grad} > 0:
            upper = 0.5 * (lower + upper)
        else:
            lower = 0.5 * (lower + upper)
        t = t * 0 + 0.5 * (lower + upper)
    return t


temperature(torch.randn(8, 3), torch.randint(0, 3, (8,)))
"""


def test_a_leaf_rebound_and_differentiated_with_autograd_grad_loses_nothing():
    # pytorch_ood utils/utils.py:54: a bisection on the sign of d loss / d t, taken by
    # torch.autograd.grad, which differentiates the rebound non-leaf as well (no GRD303)
    grad = "torch.autograd.grad(F.cross_entropy(logits / t, labels), t)[0]"
    assert findings(BISECTION.format(grad=grad), "GRD303") == []


def test_a_leaf_rebound_whose_grad_is_read_still_reports():
    grad = "(F.cross_entropy(logits / t, labels).backward() or t.grad)"
    assert findings(BISECTION.format(grad=grad), "GRD303") == [(12, "GRD303")]
