"""A graph built before the loop by a helper of the file that returns a leaf put through a view
(``b = torch.tensor(..., requires_grad=True).view(n, 1); return a, b``) saves no tensor: a second
backward() through it runs (checked with torch 2.13), so it is no GRD504. A helper returning a
product with a leaf (``* 2.0`` saves a tensor) still raises."""

from snippets import findings

HELPER = """\
import torch


def make_params(n):
    a = torch.ones(1, n)
    b = BUILD
    return a, b


def fit(steps=3):
    a, b = make_params(3)
    for step in range(steps):
        c = a.mm(b).sum()
        c.backward()


fit()
"""


def test_a_helper_returning_a_view_of_a_fresh_leaf_saves_nothing():
    source = HELPER.replace("BUILD", "torch.tensor([4.0, 5.0, 6.0], requires_grad=True).view(n, 1)")
    assert "GRD504" not in [code for _, code in findings(source)]


def test_a_helper_returning_a_scaled_leaf_still_frees_a_saved_tensor():
    source = HELPER.replace("BUILD", "torch.tensor([4.0, 5.0, 6.0], requires_grad=True).view(n, 1).exp()")
    assert (14, "GRD504") in findings(source)
