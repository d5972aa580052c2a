"""A parameter stepped with a closure of the function that backpropagates is an optimizer
(``optimizer.step(closure)`` for L-BFGS, the ``zero_grad()`` inside the closure): a learning-rate
scheduler's ``step()`` takes no such closure. The loop stepping it trains, so the losses it keeps each
iteration outside the closure (a PINN's loss history, never backpropagated: the closure recomputes the
loss) hold every iteration's graph (GRD502). A ``step()`` given a closure that does not backpropagate
proves nothing."""

from snippets import findings

PINN = """\
import torch
import torch.nn as nn


class HeatSolver(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, width), nn.Tanh(), nn.Linear(width, 1))

    def residual_loss(self, points):
        points = points.clone().requires_grad_(True)
        u = self.net(points)
        du = torch.autograd.grad(u.sum(), points, create_graph=True)[0]
        return (du[:, 1:] - du[:, :1]).pow(2).mean()

    def fit(self, optimizer, points, epochs=100):
        history = []
        for epoch in range(epochs):
            loss = self.residual_loss(points)
            history.append(loss)

            def closure():
                optimizer.zero_grad()
                current = self.residual_loss(points)
                BACKWARD
                return current

            optimizer.step(closure)
        return history
"""


def _grd502(backward="current.backward()"):
    return [line for line, code in findings(PINN.replace("BACKWARD", backward)) if code == "GRD502"]


def test_a_parameter_stepped_with_a_backpropagating_closure_is_an_optimizer():
    assert _grd502() == [20]


def test_a_closure_that_does_not_backpropagate_proves_nothing():
    assert _grd502("print(float(current))") == []
