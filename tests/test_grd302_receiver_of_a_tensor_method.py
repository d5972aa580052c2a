"""GRD302 and a non-leaf only ever the receiver of out-of-place tensor methods: an explainability
test builds an edge mask ``mask = torch.ones(n, requires_grad=True) * 0.5`` and only feeds
``mask.unsqueeze(0)`` to the wrapped model; ``mask.unsqueeze(0)`` is an operand of an op, as
``mask * 2`` is, and its result is a new tensor: nothing asks whether ``mask`` is a leaf or reads
its ``.grad``. The mask itself handed to a call, its ``.grad`` read, or its ``requires_grad_()``
called still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

TEST = """\
import torch


def test_edge_mask_changes_the_output(wrapped, model, x, edge_index):
    before = model(x, edge_index)
    mask = torch.ones(edge_index.shape[1], requires_grad=True) * 0.5  # MARK
    out = wrapped(mask.unsqueeze(0), x, edge_index)
    TAIL
    assert torch.any(out != before)
"""


def _test(tail="pass", marked=False):
    return TEST.replace("TAIL", tail).replace("  # MARK", "  # expect: GRD302" if marked else "")


POSITIVES = [
    case("grad-read", _test("out.sum().backward(); print(mask.grad)", True), [6]),
    case("handed-to-a-call", _test("torch.optim.SGD([mask], lr=0.1)", True), [6]),
    case("flag-asked", _test("assert mask.is_leaf", True), [6]),
]

NEGATIVES = [
    case("only-unsqueezed", _test()),
    case("unsqueezed-and-moved", _test("out = out + wrapped(mask.to(x.device).unsqueeze(0), x, edge_index)")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
