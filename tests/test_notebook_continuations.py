"""A line of a notebook cell that continues a Python statement (inside brackets or a triple-quoted
string) is Python, whatever it starts with: IPython looks for ``%magic``, ``!cmd`` and ``x?`` only at
the start of a statement. A ``%``-formatted message split after its format string,

    print('Epoch: %03d | Cost: %.4f'
          %(epoch + 1, cost))

made the second line look like a line magic: the cell was reported as a syntax error (GRD001) and
left out of the lint. A line magic at the start of a statement is still not Python, and neither is
IPython's wildcard search of names (``torch.*Tensor?``)."""

import json

from gradlint.engine import lint_notebook
from gradlint.rules import ALL_RULES


def _notebook(*cells) -> bytes:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None} for source in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ).encode()


_SETUP = """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
test_batches = [torch.randn(3, 4) for _ in range(5)]
"""

_EVALUATION = """\
%matplotlib inline
model.eval()
for x in test_batches:
    out = model(x)
    print('Batch: %03d | Mean: %.4f'
          %(len(x), out.mean().item()))
    doc = '''Mean of
% the outputs'''
"""


def _found(data):
    return [(f.cell, f.line, f.code) for f in lint_notebook(data, "eval.ipynb", [r for r in ALL_RULES if r.default_enabled()])]


def test_a_continuation_line_that_starts_with_a_percent_sign_is_python():
    found = _found(_notebook(_SETUP, _EVALUATION))
    assert not any(code == "GRD001" for _, _, code in found)
    assert (2, 4, "GRD505") in found  # the cell is linted: its evaluation forward without no_grad


def test_a_line_magic_at_the_start_of_a_statement_is_not_python():
    cell = _EVALUATION.replace("%matplotlib inline", "%matplotlib inline\n%(not python)")
    found = _found(_notebook(_SETUP, cell))
    assert not any(code == "GRD001" for _, _, code in found)
    assert (2, 5, "GRD505") in found


def test_a_statement_left_open_is_still_a_syntax_error_of_its_cell():
    cell = _EVALUATION.replace("out.mean().item()))", "out.mean().item())")
    found = _found(_notebook(_SETUP, cell))
    assert [code for _, _, code in found] == ["GRD001"]


def test_a_wildcard_search_of_names_is_not_python():
    evaluation = "model.eval()\nfor x in test_batches:\n    out = model(x)\n"
    found = _found(_notebook(_SETUP, "# the tensor types\ntorch.*Tensor?\n", evaluation))
    assert found == [(3, 3, "GRD505")]
