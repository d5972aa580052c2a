"""Shapes from the corpus9 recall study (vision / GAN training code nobody here wrote), as small
programs.

- A generator built as a list of layers (``layers = [conv, relu]``, ``layers += [...]`` in a loop,
  ``layers.append(...)``, then ``self.net = nn.Sequential(*layers)``: the CycleGAN / pix2pix
  ``ResnetGenerator`` shape) is a model of several layers with parameters: its output saved them,
  so a discriminator loss backpropagated through a generator output made before the generator's
  ``step()`` raises (simple_CycleGAN simple_cygan.py). A list holding one layer with parameters
  alone (``[nn.Linear(4, 4), nn.Tanh()]``) saves no weight on data and stays silent.
- ``if adv_loss == 'wgan': d_real = ... elif adv_loss == 'hinge': d_real = ...`` with no ``else``,
  in a GAN loop: the fall-through path keeps last iteration's ``d_real`` (stale after the steps),
  but every path where it is fresh recomputed it (Self-Attention-GAN trainer.py:124/165, false
  GRD205 x2). A value computed in both branches from a graph that a later step makes stale, or a
  generator output made before a loop that steps the generator, still reports (SinGAN).
- Adversarial examples (1Konny FGSM adversary.py): ``x_adv = Variable(x.data, requires_grad=True)``
  fed to the model, its ``.grad`` read, is a leaf made on purpose upstream of the model (no GRD102),
  unless its data went through a model (``z = enc(x); Variable(z.data, requires_grad=True)``
  cuts the encoder off). ``x_adv = x_adv + eps * x_adv.grad.sign()`` is no GRD303 when the name
  is made a fresh leaf again before its ``.grad`` is read, or when it is a one-step attack's last
  use of the leaf it made, outside any loop.
- A helper of another file that converts its argument to NumPy (``def to_numpy(src): ... return
  x.cpu().numpy()``) gets its callers' contexts like a training function does: a training loop that
  passes it a loss makes its ``.numpy()`` raise (HDGan proj_utils/torch_utils.py). Its
  ``elif type(src) == Variable: x = src.data`` branch never runs on a tensor (no tensor's type is
  ``Variable`` since PyTorch 0.4), so it does not make ``x`` maybe detached.
- ``self.set_mode("eval")`` of a helper ``if mode == "train": self.net.train() elif mode == "eval":
  self.net.eval()`` switches the model as ``set_mode(False)`` with ``if mode:`` does: a literal
  string bound to a parameter the function never rebinds decides ``==`` / ``!=`` tests on it
  (1Konny FGSM solver.py test(): forward passes after eval() with gradients on, GRD505).
"""

import textwrap

import pytest

from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE
from snippets import case_maker, findings

case = case_maker("GRD205")

LIST_GENERATOR = """\
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        {build}
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


G = Generator(2)
D = nn.Linear(4, 1)
opt_g = torch.optim.Adam(G.parameters())
opt_d = torch.optim.Adam(D.parameters())
for step in range(2):
    fake = G(torch.randn(8, 4))
    opt_g.zero_grad()
    D(fake).mean().backward(retain_graph=True)
    opt_g.step()
    opt_d.zero_grad()
    d_loss = D({fake}).mean()
    d_loss.backward(){expect}
    opt_d.step()
"""

LOOP_PLUS = "layers = [nn.Linear(4, 8), nn.ReLU(True)]\n        for _ in range(blocks):\n            layers += [nn.Linear(8, 8), nn.ReLU(True)]\n        layers.append(nn.Linear(8, 4))"
LISTED = "layers = [nn.Linear(4, 8), nn.ReLU(True), nn.Linear(8, 4)]"
CONCAT = "layers = [nn.Linear(4, 8), nn.ReLU(True)] + [nn.Linear(8, 4)]"
EXTENDED = "layers = [nn.Linear(4, 8)]\n        layers.extend([nn.Tanh(), nn.Linear(8, 4)])"
ONE_LAYER = "layers = [nn.Linear(4, 4), nn.Tanh()]"


@pytest.mark.parametrize("build", [LOOP_PLUS, LISTED, CONCAT, EXTENDED], ids=["loop+=", "listed", "concat", "extend"])
def test_list_of_layers_generator_saves_its_weights(build):
    src = LIST_GENERATOR.format(build=build, fake="fake", expect="  # expect: GRD205")
    line = next(i for i, text in enumerate(src.splitlines(), 1) if "expect: GRD205" in text)
    assert findings(src, "GRD205") == [(line, "GRD205")]


@pytest.mark.parametrize(
    "build, fake",
    [(LOOP_PLUS, "fake.detach()"), (ONE_LAYER, "fake"), (LISTED, "G(torch.randn(8, 4))")],
    ids=["detached", "one-layer-saves-no-weight", "recomputed-after-step"],
)
def test_list_of_layers_generator_negatives(build, fake):
    assert findings(LIST_GENERATOR.format(build=build, fake=fake, expect=""), "GRD205") == []


TWO_PLAYERS = """\
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
D = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
opt_g = torch.optim.Adam(G.parameters())
opt_d = torch.optim.Adam(D.parameters())
adv_loss = "hinge"
"""

HINGE_OR_WGAN = TWO_PLAYERS + """\
for step in range(3):
    real = torch.randn(4, 2)
    if adv_loss == "wgan":
        d_real = -D(real).mean()
    elif adv_loss == "hinge":
        d_real = torch.relu(1.0 - D(real)).mean()
    fake = G(torch.randn(4, 2))
    d_loss = d_real + D(fake.detach()).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = -D(G(torch.randn(4, 2))).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
"""

STALE_IN_BOTH_BRANCHES = TWO_PLAYERS + """\
for step in range(3):
    fake = G(torch.randn(4, 2))
    if adv_loss == "wgan":
        g_loss = -D(fake).mean()
    elif adv_loss == "hinge":
        g_loss = torch.relu(1.0 - D(fake)).mean()
    d_loss = torch.relu(1.0 + D(fake.detach())).mean() + torch.relu(1.0 - D(torch.randn(4, 2))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss.backward()  # expect: GRD205
    opt_g.step()
"""


def test_value_recomputed_on_every_taken_branch_is_not_stale():
    assert findings(HINGE_OR_WGAN, "GRD205") == []


def test_value_stale_on_both_branches_still_reports():
    assert findings(STALE_IN_BOTH_BRANCHES, "GRD205") == [(20, "GRD205")]


LOOP_CARRIED = TWO_PLAYERS + """\
fake = G(torch.randn(4, 2))
for j in range(3):
    opt_g.zero_grad()
    if adv_loss == "hinge":
        err = torch.relu(1.0 - D(fake)).mean()
    err.backward(retain_graph=True)  # expect: GRD205
    opt_g.step()
"""


def test_generator_output_made_before_the_generator_steps_loop_still_reports():
    # SinGAN training.py: `fake` made once, then `for j in range(Gsteps): errG = -netD(fake).mean();
    # errG.backward(retain_graph=True); optimizerG.step()` raises from the second step on
    assert findings(LOOP_CARRIED, "GRD205") == [(14, "GRD205")]


ATTACKS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def fgsm(x, y, eps=0.03):
    x_adv = Variable(x.data, requires_grad=True)
    loss = F.cross_entropy(net(x_adv), y)
    net.zero_grad()
    loss.backward()
    x_adv = x_adv + eps * x_adv.grad.sign()
    return torch.clamp(x_adv, -1, 1)


def i_fgsm(x, y, alpha=0.01, steps=3):
    x_adv = x.clone().detach().requires_grad_(True)
    for _ in range(steps):
        loss = F.cross_entropy(net(x_adv), y)
        net.zero_grad()
        loss.backward()
        x_adv = x_adv + alpha * x_adv.grad.sign(){expect}
        x_adv = torch.clamp(x_adv, -1, 1)
        {again}
    return x_adv


x, y = torch.randn(5, 4), torch.randint(0, 3, (5,))
print(fgsm(x, y).shape, i_fgsm(x, y).shape)
"""

ENCODER_CUT_OFF = """\
import torch
import torch.nn as nn
from torch.autograd import Variable

enc = nn.Linear(4, 2)
dec = nn.Linear(2, 4)
opt = torch.optim.SGD(list(enc.parameters()) + list(dec.parameters()), lr=0.1)
x = torch.randn(8, 4)
z = enc(x)
z = Variable(z.data, requires_grad=True)  # expect: GRD102
loss = ((dec(z) - x) ** 2).mean()
opt.zero_grad()
loss.backward()
opt.step()
"""


@pytest.mark.parametrize("again", ["x_adv = Variable(x_adv.data, requires_grad=True)", "x_adv = x_adv.detach().requires_grad_()"])
def test_adversarial_examples_are_leaves_made_on_purpose(again):
    assert findings(ATTACKS.format(again=again, expect=""), "GRD102", "GRD303") == []


def test_attack_loop_without_a_fresh_leaf_still_reports():
    src = ATTACKS.format(again="print(x_adv.grad)", expect="  # expect: GRD303")
    assert findings(src, "GRD102", "GRD303") == [(24, "GRD303")]


def test_rewrap_of_a_model_output_fed_to_another_model_still_reports():
    assert findings(ENCODER_CUT_OFF, "GRD102") == [(10, "GRD102")]


TO_NUMPY = """\
import numpy as np
from torch.autograd import Variable


def to_numpy(src):
    if type(src) == np.ndarray:
        return src
    elif type(src) == Variable:
        x = src.data
    else:
        x = src
    return x.cpu().numpy()
"""

HELPER_CALLER = """\
import torch
import torch.nn as nn
from helpers import to_numpy

net = nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for i in range(3):
    loss = net(torch.randn(4, 3)).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(to_numpy({arg}).mean())
"""


def _lint_helper(tmp_path, arg):
    (tmp_path / "helpers.py").write_text(TO_NUMPY)
    (tmp_path / "train.py").write_text(HELPER_CALLER.format(arg=arg))
    path = tmp_path / "helpers.py"
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD503"]])]


def test_numpy_helper_given_a_loss_by_a_caller_in_another_file(tmp_path):
    assert _lint_helper(tmp_path, "loss") == [(12, "GRD503")]


@pytest.mark.parametrize("arg", ["loss.detach()", "loss.item()", "torch.randn(3)"])
def test_numpy_helper_given_no_graph(tmp_path, arg):
    assert _lint_helper(tmp_path, arg) == []


def test_type_is_variable_is_false_for_a_tensor():
    src = textwrap.dedent(
        """\
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        out = nn.Linear(3, 1)(torch.randn(2, 3))
        if type(out) == Variable:
            out = out.data
        print(out.numpy())  # expect: GRD503
        if type(out) is not Variable:
            out = out.detach()
        print(out.numpy())
        """
    )
    assert findings(src, "GRD503") == [(8, "GRD503")]


SET_MODE = """\
import torch
import torch.nn as nn


class Solver:
    def __init__(self):
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

    def set_mode(self, mode="train"):
        if mode == "train":
            self.net.train()
        elif mode {op} "eval":
            self.net.eval()

    def test(self, loader):
        self.set_mode({first})
        correct = 0
        for x, y in loader:
            logit = self.net(x){expect}
            correct += (logit.argmax(1) == y).sum().item()
        self.set_mode("train")
        return correct


s = Solver()
print(s.test([(torch.randn(5, 4), torch.randint(0, 3, (5,)))]))
"""


def test_mode_helper_called_with_a_literal_string_switches_the_model():
    src = SET_MODE.format(op="==", first='"eval"', expect="  # expect: GRD505")
    assert findings(src, "GRD505", "GRD510") == [(19, "GRD505")]


@pytest.mark.parametrize("op, first", [("==", '"train"'), ("!=", '"eval"'), ("==", "mode_of_the_day()")])
def test_mode_helper_negatives(op, first):
    src = SET_MODE.format(op=op, first=first, expect="")
    assert findings(src, "GRD505", "GRD510") == []
