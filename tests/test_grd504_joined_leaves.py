"""Collocation points joined once before the loop (a PINN: ``xy = torch.cat([x, y], dim=1)`` of two
leaves made with ``requires_grad_()``, so that the residual can take ``autograd.grad`` with respect to
each coordinate) hold a graph of one ``CatBackward`` node, which saves no tensor: a backward() through
it in every iteration runs (checked with torch 2.13 for ``torch.cat``, ``torch.concat``,
``torch.stack`` and ``torch.hstack``), so it is no GRD504. Joining a scaled leaf (``x * 2.0`` saves a
tensor) still raises at the second iteration, and so does a join with a name bound to such a value."""

from snippets import findings

PINN = """\
import torch
import torch.nn as nn


def fit_heat(model, steps=3):
    grid = torch.linspace(0.0, 1.0, 16)
    x = grid.view(-1, 1).requires_grad_(True)
    t = grid.flip(0).view(-1, 1).requires_grad_(True)
    points = JOIN
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        u = model(points)
        u_t = torch.autograd.grad(u, t, torch.ones_like(u), create_graph=True)[0]
        u_x = torch.autograd.grad(u, x, torch.ones_like(u), create_graph=True)[0]
        loss = ((u_t - 0.1 * u_x) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


fit_heat(nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)))
"""


def _codes(join):
    return [code for _, code in findings(PINN.replace("JOIN", join))]


def test_leaves_joined_by_cat_save_nothing():
    assert "GRD504" not in _codes("torch.cat([x, t], dim=1)")


def test_leaves_joined_by_stack_and_hstack_save_nothing():
    assert "GRD504" not in _codes("torch.stack((x, t), dim=1).squeeze(-1)")
    assert "GRD504" not in _codes("torch.hstack([x, t])")


def test_a_join_with_a_scaled_leaf_still_raises():
    assert (17, "GRD504") in findings(PINN.replace("JOIN", "torch.cat([x * 2.0, t], dim=1)"))


def test_a_join_scaled_afterwards_still_raises():
    assert (17, "GRD504") in findings(PINN.replace("JOIN", "torch.cat([x, t], dim=1) * 2.0"))
