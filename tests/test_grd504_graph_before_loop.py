"""GRD504's advice depends on how the freed graph enters the iteration.

A recurrent state bound again in the loop from itself (``h = cell(x, h)``) is detached at the start
of each iteration. A value built once before the loop and only used in it (``feats = encoder(X)``)
is computed inside the loop when its graph should train, or detached once before it when it is
data: detaching it each iteration would silently stop the encoder from training.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

BUILT_BEFORE = """\
import torch
import torch.nn as nn

encoder, head = nn.Linear(8, 4), nn.Linear(4, 1)
opt = torch.optim.SGD(list(encoder.parameters()) + list(head.parameters()), lr=0.1)
X, y = torch.randn(16, 8), torch.randn(16, 1)
feats = encoder(X)
for epoch in range(10):
    opt.zero_grad()
    loss = nn.functional.mse_loss(head(feats), y)
    loss.backward()
    opt.step()
"""

RECURRENT = """\
import torch
import torch.nn as nn

cell = nn.RNNCell(4, 8)
opt = torch.optim.SGD(cell.parameters(), lr=0.1)
h = torch.zeros(1, 8)
for step in range(10):
    opt.zero_grad()
    h = cell(torch.randn(1, 4), h)
    loss = h.pow(2).sum()
    loss.backward()
    opt.step()
"""


def messages(src):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE["GRD504"]])]


def test_value_built_before_the_loop_is_computed_inside_it():
    [(line, message)] = messages(BUILT_BEFORE)
    assert line == 11
    assert "`feats` holds a graph built before the loop" in message
    assert "Compute `feats` inside the loop" in message


def test_recurrent_state_is_detached_each_iteration():
    [(line, message)] = messages(RECURRENT)
    assert line == 11
    assert "`h` enters each iteration holding the previous iteration's graph" in message
    assert "`h = h.detach()`" in message
