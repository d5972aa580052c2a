"""A fragment that uses ``torch.`` without binding it runs where ``torch`` was imported before it.

Course repositories keep one notebook cell per file: ``finetune.py`` builds
``torch.optim.SGD(model.parameters())`` and loops over the batches with ``backward()`` and
``step()``, the imports and the model in an earlier cell. ``torch`` was unknown there, so the
optimizer was not one and GRD501 stayed silent on a loop that never clears gradients. Names other
than ``torch`` are not guessed, and a file that binds ``torch`` anywhere keeps its own binding.
"""

import pytest

from gradlint.analysis.ambient_torch import ambient_torch
from snippets import findings

FRAGMENT = """\
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for epoch in range(5):
    for images, labels in loader:
{clear}        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
"""


def _fragment(clear=""):
    return FRAGMENT.format(clear=clear)


def test_loop_without_clear_in_a_fragment_is_reported():
    assert findings(_fragment(), "GRD501") == [(6, "GRD501")]


@pytest.mark.parametrize(
    "source",
    [
        _fragment(clear="        optimizer.zero_grad()\n"),  # cleared each batch
        _fragment(clear="        model.zero_grad()\n"),  # the model's clear covers its optimizer
        "import numpy as torch\n" + _fragment(),  # the file's own `torch` is not the package
        "from helpers import *\n" + _fragment(clear="        optimizer.zero_grad()\n"),
    ],
    ids=["zero-grad", "model-zero-grad", "own-binding", "star-import-cleared"],
)
def test_cleared_or_rebound_fragments_stay_silent(source):
    assert findings(source, "GRD501") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("x = torch.zeros(3)", True),
        ("if torch.cuda.is_available():\n    pass", True),
        ("import torch\nx = torch.zeros(3)", False),
        ("import torch.nn as nn\nx = torch.zeros(3)", False),
        ("from torch import nn\nx = torch.zeros(3)", False),
        ("def f(torch):\n    return torch.zeros(3)", False),
        ("torch = load()\nx = torch.zeros(3)", False),
        ("from common import *\nx = torch.zeros(3)", False),
        ("x = mytorch.zeros(3)", False),
        ("x = np.zeros(3)", False),
    ],
)
def test_ambient_torch(text, expected):
    assert ambient_torch(text) is expected
