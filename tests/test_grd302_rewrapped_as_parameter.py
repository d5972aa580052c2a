"""A name or field that holds a moved leaf (``self.nu = torch.tensor([0.1], requires_grad=True).to(device)``,
a non-leaf on a GPU) and whose very next use rebinds it to ``nn.Parameter(self.nu)`` loses nothing:
the Parameter is a fresh leaf made from the data (checked with torch 2.13: ``nn.Parameter(t * 2)``
is a leaf that requires grad), so nobody ever sees the non-leaf (a PINN learning the coefficients
of its equation). A field used before it is wrapped (handed to an optimizer), or wrapped under
another name while the field keeps the non-leaf, still loses its leaf."""

from snippets import findings

COEFFICIENTS = """\
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class BurgersInverse:
    def __init__(self, net):
        self.net = net.to(device)
        self.nu = torch.tensor([0.1], requires_grad=True).to(device)
        BETWEEN
        self.nu = nn.Parameter(self.nu)
        self.net.register_parameter("nu", self.nu)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=1e-3)

    def residual(self, u, u_t, u_xx):
        return u_t - self.nu * u_xx


def fit_scale(x, y):
    scale = torch.ones(1, requires_grad=True).to(device)
    scale = nn.Parameter(scale)
    optimizer = torch.optim.SGD([scale], lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        ((scale * x - y) ** 2).mean().backward()
        optimizer.step()
    return scale
"""


def _grd302(between="pass"):
    return [line for line, code in findings(COEFFICIENTS.replace("BETWEEN", between)) if code == "GRD302"]


def test_a_field_wrapped_as_a_parameter_next_loses_nothing():
    assert 10 not in _grd302()


def test_a_name_wrapped_as_a_parameter_next_loses_nothing():
    assert 21 not in _grd302()


def test_a_field_used_before_it_is_wrapped_still_loses_its_leaf():
    assert 10 in _grd302("self.early = torch.optim.SGD([self.nu], lr=0.1)")
