"""``torch.squeeze(x)``, ``torch.flatten(x)``, ``torch.unsqueeze(x, 0)``: the function form of a view
views its first argument, not the ``torch`` module.

The path of the tensor an expression views (``syntax.base_path``) followed the receiver of any
viewing method, so ``torch.squeeze(output)`` was taken for a view of a tensor named ``torch``.
That name then entered the graph dependencies of every loss computed through it, the first
backward() marked ``torch`` freed, and the next iteration's backward() was reported as going
through "the graph of `torch`" a second time (corpus28: a time-series LSTM's
``criterion(torch.squeeze(output), target)`` in an ordinary epoch loop).
"""

from gradlint.analysis import base_path
from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

import libcst as cst

SQUEEZED_LOSS = """\
import torch
import torch.nn as nn

model = nn.LSTM(4, 8, batch_first=True)
head = nn.Linear(8, 1)
optimizer = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=0.1)
criterion = nn.MSELoss()
loader = [(torch.randn(2, 3, 4), torch.randn(2, 3))]

for epoch in range(3):
    model.train()
    for inputs, target in loader:
        out, _ = model(inputs)
        output = head(out)
        loss = criterion(torch.squeeze(output), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""

# the look-alike that stays an error: the squeezed value is built once, before the loop
SQUEEZED_BEFORE_LOOP = """\
import torch
import torch.nn as nn

encoder, head = nn.Linear(8, 4), nn.Linear(4, 1)
opt = torch.optim.SGD(list(encoder.parameters()) + list(head.parameters()), lr=0.1)
X, y = torch.randn(16, 8), torch.randn(16)
feats = encoder(X)
for epoch in range(10):
    opt.zero_grad()
    loss = nn.functional.mse_loss(torch.squeeze(head(feats)), y)
    loss.backward()
    opt.step()
"""


def grd504(src):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE["GRD504"]])]


def test_function_form_views_its_first_argument():
    assert base_path(cst.parse_expression("torch.squeeze(output)")) == "output"
    assert base_path(cst.parse_expression("torch.flatten(x.view(3, -1), 1)")) == "x"
    assert base_path(cst.parse_expression("output.squeeze()")) == "output"
    assert base_path(cst.parse_expression("torch.squeeze()")) is None


def test_squeezed_loss_in_an_epoch_loop_is_not_a_second_backward():
    for form in ("torch.squeeze(output)", "torch.flatten(output)", "torch.unsqueeze(output, 0)"):
        assert grd504(SQUEEZED_LOSS.replace("torch.squeeze(output)", form)) == []


def test_graph_built_before_the_loop_is_still_reported_through_a_function_view():
    [(line, message)] = grd504(SQUEEZED_BEFORE_LOOP)
    assert line == 11
    assert "`feats` holds a graph built before the loop" in message
