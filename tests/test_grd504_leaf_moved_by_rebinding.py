"""A leaf moved by a second statement of the same name (``a = torch.tensor(..., requires_grad=True)``
then ``a = a.cuda()``, pytorch#13113) holds a graph of one copy node, which saves no tensor: a
backward() through it in each iteration of a later loop runs (checked with torch 2.13 with
``.double()``), so it is no GRD504 (the rebinding itself stays GRD303, the ``a.grad`` read GRD301).
A scaled leaf (``a = a * 2.0`` saves a tensor) still raises, and so does a chain that starts from a
parameter of the function, whose graph the caller decides."""

from snippets import findings

MOVED = """\
import torch


def fit_scale(steps=3):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = MOVE
    for _ in range(steps):
        c = (a ** 2).mean(0)
        c.backward()
        print(a.grad)


fit_scale()
"""


def test_a_leaf_moved_to_the_gpu_by_a_second_statement_saves_nothing():
    codes = findings(MOVED.replace("MOVE", "a.cuda()"))
    assert "GRD504" not in [code for _, code in codes]
    assert (6, "GRD303") in codes and (10, "GRD301") in codes


def test_a_leaf_converted_by_a_second_statement_saves_nothing():
    assert "GRD504" not in [code for _, code in findings(MOVED.replace("MOVE", "a.double()"))]


def test_a_leaf_scaled_by_a_second_statement_still_raises():
    assert (9, "GRD504") in findings(MOVED.replace("MOVE", "a * 2.0"))

