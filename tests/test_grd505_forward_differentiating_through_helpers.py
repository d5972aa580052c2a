"""GRD505: a model of unknown class evaluated with gradients enabled is silent when a forward the file
can reach takes ``torch.autograd.grad``, also through other functions of its module (a signed-distance
renderer's ``forward`` calls ``self.shade(points)``, which takes the surface normals as
``self.sdf.normals(points)``, a method calling ``torch.autograd.grad``): the forward needs grad mode in
eval mode too."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

RENDERER = """\
import torch
from torch import nn


class Surface(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 32), nn.Softplus(), nn.Linear(32, 1))

    def forward(self, points):
        return self.layers(points)

    def normals(self, points):
        points.requires_grad_(True)
        distance = self.layers(points)
        return torch.autograd.grad(distance.sum(), points, create_graph=True)[0]


class Renderer(nn.Module):
    def __init__(self):
        super().__init__()
        self.sdf = Surface()
        self.color = nn.Linear(6, 3)

    def shade(self, points):
        normals = self.sdf.normals(points)
        return self.color(torch.cat([points, normals], -1))

    def forward(self, rays):
        points = rays[:, :3] + rays[:, 3:]
        return self.shade(points)


def restore(path):
    return torch.load(path, weights_only=False)
"""

EVALUATE = """\
import torch
from scene.renderer import restore


def render_all(path, batches):
    model = restore(path)
    model.eval()
    images = []
    for rays in batches:
        images.append(model(rays).detach())
    return images
"""


def _lint(root, files, target):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_forward_differentiating_through_a_method_of_a_submodule(tmp_path):
    files = {"scene/__init__.py": "", "scene/renderer.py": RENDERER, "scene/evaluate.py": EVALUATE}
    assert _lint(tmp_path, files, "scene/evaluate.py") == []


def test_a_differentiating_method_the_forward_never_calls_is_no_excuse(tmp_path):
    plain = RENDERER.replace("        normals = self.sdf.normals(points)\n", "        normals = points * 0\n")
    files = {"scene/__init__.py": "", "scene/renderer.py": plain, "scene/evaluate.py": EVALUATE}
    assert _lint(tmp_path, files, "scene/evaluate.py") == [(10, "GRD505")]


CLASSES = """\
import importlib


def class_named(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)
"""

CONFIGURED = """\
import sys
import torch
from helpers.classes import class_named


def render_all(config, path, batches):
    model = class_named(config["model_class"])()
    model.load_state_dict(torch.load(path))
    model.eval()
    images = []
    for rays in batches:
        images.append(model(rays).detach())
    return images
"""


def test_class_named_by_a_string_among_differentiating_forwards(tmp_path):
    files = {
        "helpers/__init__.py": "",
        "helpers/classes.py": CLASSES,
        "scene/__init__.py": "",
        "scene/renderer.py": RENDERER,
        "render.py": CONFIGURED,
    }
    assert _lint(tmp_path, files, "render.py") == []


def test_class_named_by_a_string_among_plain_forwards(tmp_path):
    plain = RENDERER.replace("        normals = self.sdf.normals(points)\n", "        normals = points * 0\n")
    files = {
        "helpers/__init__.py": "",
        "helpers/classes.py": CLASSES,
        "scene/__init__.py": "",
        "scene/renderer.py": plain,
        "render.py": CONFIGURED,
    }
    assert _lint(tmp_path, files, "render.py") == [(12, "GRD505")]


def test_no_dynamic_import_no_search(tmp_path):
    builder = CLASSES.replace("getattr(importlib.import_module(module), name)", "{'Renderer': object}[name]")
    files = {
        "helpers/__init__.py": "",
        "helpers/classes.py": builder,
        "scene/__init__.py": "",
        "scene/renderer.py": RENDERER,
        "render.py": CONFIGURED,
    }
    assert _lint(tmp_path, files, "render.py") == [(12, "GRD505")]
