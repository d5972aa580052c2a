"""GRD505 and a validation loss of another file that makes its input require grad before running the
model: a physics-informed network's residual, ``points.requires_grad = True``, ``u = net(points)``,
then a PDE operator given as an argument (so unknown here) takes ``torch.autograd.grad(u, points)``.
The validation loop after ``net.eval()`` calls ``residual_loss(batch, net, heat_operator)`` and cannot
run under ``no_grad``: the derivatives of the output need the graph (corpus35 trunk96 pinns/train.py).
In the loop's own function ``x.requires_grad_()`` already tells so; the same statement a call or two
down in the helper's file says the same. A helper that never asks for its input's gradient still
reports.
"""

from snippets import lint_path, write_project

LOSSES = """\
import torch
import torch.nn as nn


def pointwise_residual(net, points, criterion, operator):
    points.requires_grad = True
    u = net(points)
    residual = operator(u, points)
    return criterion(residual, torch.zeros_like(residual))


def residual_loss(points, net, operator):
    return pointwise_residual(net, points, nn.MSELoss(), operator)


def fit_loss(points, net, target):
    return nn.functional.mse_loss(net(points), target)
"""

TRAIN = """\
import torch
import torch.nn as nn
from losses import residual_loss, fit_loss


def heat_operator(u, points):
    du = torch.autograd.grad(u.sum(), points, create_graph=True)[0]
    return du[:, 1:2] - du[:, 0:1]


net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(10):
    net.train()
    for points in [torch.rand(64, 2) for _ in range(4)]:
        loss = residual_loss(points, net, heat_operator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    scores = []
    for points in [torch.rand(64, 2) for _ in range(2)]:
        scores.append(LOSS_CALL.item())
    print(epoch, sum(scores))
"""


def _lint(tmp_path, call):
    write_project(tmp_path, {"losses.py": LOSSES, "train.py": TRAIN.replace("LOSS_CALL", call)})
    return [item for item in lint_path(tmp_path / "train.py") if item[1] == "GRD505"]


def test_residual_validation_needs_grad_mode(tmp_path):
    assert _lint(tmp_path, "residual_loss(points, net, heat_operator)") == []


def test_plain_fit_validation_still_reports(tmp_path):
    assert _lint(tmp_path, "fit_loss(points, net, torch.zeros(64, 1))") == [(23, "GRD505")]
