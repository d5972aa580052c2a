"""GRD202 in the forward of a class whose objects the project calls only under no_grad.

A continual learner keeps one sampler per class in ``nn.ModuleList([Sampler(8) for ...])``, fits
each by its own method and draws from one inside ``@torch.no_grad()``: ``gen = self.gens[c]``,
``gen(16)``. The sampler's forward returns ``self.sample(n)``, a loop writing ``x -= 0.1 * out`` in
place after ``out = self.net(x)`` saved ``x``: nothing can backpropagate it (torch 2.13 runs the
replay). A call of the objects outside no_grad (the same list's element backpropagated, or an
object of the class another file trains), no call at all, and another class of the file that
nobody calls so, still report.
"""

import textwrap

from gradlint.analysis.no_grad_instances import classes_called_without_grad
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

SAMPLER = """\
import torch


class Sampler(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = torch.nn.Linear(dim, dim)
        self.dim = dim

    def sample(self, n):
        x = torch.randn(n, self.dim)
        for _ in range(4):
            out = self.net(x)
            x -= 0.1 * out
        return x

    def forward(self, n):
        return self.sample(n)
"""

OTHER = """

class Refiner(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = torch.nn.Linear(dim, dim)

    def forward(self, x):
        h = torch.sigmoid(self.net(x))
        h += x
        return h
"""

LEARNER = """\
import torch
from pkg.sampler import Sampler


class Learner:
    def __init__(self, n):
        self.gens = torch.nn.ModuleList([Sampler(8) for _ in range(n)])

    @torch.no_grad()
    def replay(self, c):
        gen = self.gens[c]
        gen.eval()
        return gen(16)
{extra}"""

TRAINED = """
    def tune(self, c):
        loss = self.gens[c](16).sum()
        loss.backward()
"""


TUNER = """\
import torch
from pkg.sampler import Sampler


class Tuner:
    def __init__(self):
        self.gen = Sampler(8)

    def step(self):
        self.gen(16).sum().backward()
"""


def _lint(tmp_path, sampler, learner, tuner=None):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sampler.py").write_text(textwrap.dedent(sampler))
    if learner is not None:
        (package / "learner.py").write_text(textwrap.dedent(learner))
    if tuner is not None:
        (package / "tuner.py").write_text(tuner)
    path = package / "sampler.py"
    rules = [rule for rule in ALL_RULES if rule.default_enabled()]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_objects_called_only_under_no_grad(tmp_path):
    assert _lint(tmp_path, SAMPLER, LEARNER.replace("{extra}", "")) == []


def test_objects_also_called_with_grad(tmp_path):
    assert _lint(tmp_path, SAMPLER, LEARNER.replace("{extra}", TRAINED)) == [(14, "GRD202")]


def test_objects_called_with_grad_by_another_file(tmp_path):
    assert _lint(tmp_path, SAMPLER, LEARNER.replace("{extra}", ""), TUNER) == [(14, "GRD202")]


def test_objects_never_called(tmp_path):
    assert _lint(tmp_path, SAMPLER, None) == [(14, "GRD202")]


def test_another_class_of_the_file(tmp_path):
    assert _lint(tmp_path, SAMPLER + OTHER, LEARNER.replace("{extra}", "")) == [(28, "GRD202")]


def test_the_scan():
    text = SAMPLER.encode()
    caller = LEARNER.replace("{extra}", "").encode()
    assert classes_called_without_grad(text, [caller]) == {"Sampler"}
    assert classes_called_without_grad(text, [caller.replace(b"Sampler(8)", b"MySampler(8)")]) == set()
    direct = b"import torch\n\ngen = Sampler(4)\nwith torch.no_grad():\n    gen(3)\ngen.forward(2)\n"
    assert classes_called_without_grad(text, [direct]) == set()  # also called outside the block
    assert classes_called_without_grad(text, [direct.replace(b"gen.forward(2)", b"gen.eval()")]) == {"Sampler"}
