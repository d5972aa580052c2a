"""GRD504: a graph added in place to a loss (``loss += penalty``) is part of what backward() frees.

``loss += term`` on a loss that requires grad is an in-place add: ``loss`` keeps its identity, but its
graph now goes through ``term``'s. A term built once before the loop (a weight penalty, the
activated parameters of a scene kept in a dict on an object) is freed by the first iteration's
backward(), and the second raises "Trying to backward through the graph a second time" (checked
with torch 2.13), as ``loss = loss + penalty`` does. A term computed in each iteration, or detached,
or kept with ``retain_graph=True``, is not reported.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

PENALTY = """\
import torch
import torch.nn as nn


def train(batches):
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    penalty = 1e-3 * model.weight.pow(2).sum()
    for x, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss += penalty
        loss.backward()
        optimizer.step()
"""

SCENE = """\
import torch


class Scene:
    def __init__(self, n=16):
        self.log_scales = torch.zeros(n, 2, requires_grad=True)
        self.offsets = torch.zeros(n, 2, requires_grad=True)
        self.activated = {"scales": torch.exp(self.log_scales)}


def fit(target, iters=3):
    scene = Scene()
    optimizer = torch.optim.Adam([scene.log_scales, scene.offsets], lr=1e-2)
    for it in range(iters):
        optimizer.zero_grad()
        loss = ((scene.offsets - target) ** 2).mean()
        loss += 0.01 * scene.activated["scales"].mean()
        loss.backward()
        optimizer.step()
"""


def findings(src, code="GRD504"):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE[code]])]


def test_penalty_built_before_the_loop_added_in_place():
    [(line, message)] = findings(PENALTY)
    assert line == 13
    assert "`penalty` holds a graph built before the loop" in message


def test_field_of_an_object_added_in_place():
    [(line, message)] = findings(SCENE)
    assert line == 18
    assert "scene.activated" in message


def test_penalty_computed_in_each_iteration():
    src = PENALTY.replace("    penalty = 1e-3 * model.weight.pow(2).sum()\n", "").replace(
        "        loss += penalty\n", "        penalty = 1e-3 * model.weight.pow(2).sum()\n        loss += penalty\n"
    )
    assert findings(src) == []


def test_detached_penalty():
    assert findings(PENALTY.replace("loss += penalty", "loss += penalty.detach()")) == []


def test_retained_graph():
    assert findings(PENALTY.replace("loss.backward()", "loss.backward(retain_graph=True)")) == []
