"""A physics-informed script makes its collocation points with ``requires_grad_(True).to(device)``
and hands them to loss helpers of the file, which take derivatives with ``torch.autograd.grad``
(``residual(net, t, x)`` -> ``derivative(u, x, 2)`` -> ``autograd.grad(u, x, ...)``). ``.to`` makes a
non-leaf on a GPU run, but ``autograd.grad`` differentiates a non-leaf as well and nothing reads the
points' ``.grad``: nothing is lost (GRD302 silent, as when the script calls ``autograd.grad`` on the
name itself). A helper that reads the parameter's ``.grad``, or an optimizer over the points, still
wants the leaf."""

from snippets import case_maker, rule_tests

case = case_maker("GRD302")

HEAD = """\
import numpy as np
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, tx):
        return self.net(tx)


def derivative(u, x, order=1):
    d = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
    return d if order == 1 else derivative(d, x, order - 1)


"""

LOOP = """\


net = MLP().to(device)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
grid = np.linspace(-1, 1, 64).reshape(-1, 1)
x0 = torch.from_numpy(grid.astype(np.float32)).requires_grad_(True).to(device)
t0 = torch.zeros_like(x0)
for step in range(100):
    opt.zero_grad()
    loss = residual(net, t0, x0)
    loss.backward()
    opt.step()
"""

NEGATIVES = [
    case(
        "points_differentiated_two_helpers_down",
        HEAD
        + """\
def residual(net, t, x):
    u = net(torch.cat([t, x], dim=1))
    u_xx = derivative(u, x, 2)
    return (u_xx + torch.sin(np.pi * x)).pow(2).mean()
"""
        + LOOP,
    ),
]

POSITIVES = [
    case(
        "helper_reads_the_points_grad",
        HEAD
        + """\
def residual(net, t, x):
    u = net(torch.cat([t, x], dim=1))
    u.sum().backward(retain_graph=True)
    return (x.grad - torch.cos(np.pi * x)).pow(2).mean()
"""
        + LOOP.replace(
            "requires_grad_(True).to(device)", "requires_grad_(True).to(device)  # expect: GRD302"
        ),
        lines=(31,),
    ),
    case(
        "points_also_given_to_an_optimizer",
        HEAD
        + """\
def residual(net, t, x):
    u = net(torch.cat([t, x], dim=1))
    return (derivative(u, x, 2) + torch.sin(np.pi * x)).pow(2).mean()
"""
        + LOOP.replace(
            "requires_grad_(True).to(device)", "requires_grad_(True).to(device)  # expect: GRD302"
        ).replace("opt = torch.optim.Adam(net.parameters(), lr=1e-3)\n", "")
        .replace("t0 = torch.zeros_like(x0)\n", "t0 = torch.zeros_like(x0)\nopt = torch.optim.Adam(list(net.parameters()) + [x0], lr=1e-3)\n"),
        lines=(29,),
    ),
]

test_fires, test_silent = rule_tests("GRD302", POSITIVES, NEGATIVES)
