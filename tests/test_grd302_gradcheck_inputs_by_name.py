"""GRD302 and gradcheck inputs handed over by the name of their tuple: an op test builds
``table = torch.randn(16, 2, dtype=torch.float64, requires_grad=True).to(device) * 0.1`` (a non-leaf),
then ``inputs = (coords, table, resolution)`` and ``gradcheck(encode.apply, inputs)``. gradcheck
differentiates its inputs with ``autograd.grad``, which works on a non-leaf (checked with torch 2.13:
``gradcheck`` returns True), so nothing is lost with the leaf, as when the tuple is written in the
call (``differentiated``). A test that reads ``table.grad`` after a backward() still needs the leaf,
and so does a tuple name bound twice (which tuple gradcheck gets is not known here).
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

OP_TEST = """\
import torch
from torch.autograd import gradcheck


def encode(coords, table, resolution):
    index = (coords * resolution).long().clamp(0, table.shape[0] - 1)
    return table[index].sum(-1)


def test_encode_gradients(device="cpu"):
    coords = torch.rand(4, 1, dtype=torch.float64)
    table = torch.randn(16, 2, dtype=torch.float64, requires_grad=True).to(device) * 0.1  # MARK
    inputs = (coords, table, 15)
{extra}    assert gradcheck(encode, inputs, eps=1e-6, atol=1e-4)
"""


def _test(extra="", marked=False):
    return OP_TEST.replace("{extra}", extra).replace("  # MARK", "  # expect: GRD302" if marked else "")


POSITIVES = [
    case("grad-read-after-backward", _test("    encode(*inputs).sum().backward()\n    assert table.grad is not None\n", True), [12]),
    case("tuple-name-bound-twice", _test("    if device != 'cpu':\n        inputs = (coords.to(device), table, 15)\n", True), [12]),
]

NEGATIVES = [
    case("gradcheck-given-the-tuple-by-name", _test()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
