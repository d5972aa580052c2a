"""GRD302 and a keyword argument or an attribute spelled like the non-leaf's name: a kernel test
makes ``input = torch.randn(n, v, requires_grad=True).log_softmax(dim=-1)`` and only takes detached
copies of it (``input.detach().clone().requires_grad_(True)``), the leaves whose ``.grad`` it
compares; a later ``jsd(input=x2, ...)`` or ``cfg.input`` names a parameter or a field, not the
variable, so nothing observes that ``input`` is no leaf. The variable itself handed to the call
(``jsd(input=input)``, ``jsd(input)``) or its ``.grad`` read still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

TEST = """\
import torch


def test_jsd_matches(jsd, reference, cfg, n, v):
    input = torch.randn(n, v, requires_grad=True).log_softmax(dim=-1)  # MARK
    x1 = input.detach().clone().requires_grad_(True)
    x2 = input.detach().clone().requires_grad_(True)
    out1 = reference(x1, cfg.target)
    out2 = CALL
    out1.backward()
    out2.backward()
    assert torch.allclose(x1.grad, x2.grad)
"""


def _test(call, marked=False):
    return TEST.replace("CALL", call).replace("  # MARK", "  # expect: GRD302" if marked else "")


POSITIVES = [
    case("the-variable-as-the-keyword-value", _test("jsd(input=input, target=cfg.target)", True), [5]),
    case("the-variable-positional", _test("jsd(input, cfg.target)", True), [5]),
    case("grad-read", _test("jsd(input=x2, target=cfg.target) + input.grad.sum()", True), [5]),
]

NEGATIVES = [
    case("keyword-named-input", _test("jsd(input=x2, target=cfg.target)")),
    case("attribute-named-input", _test("jsd(x2, cfg.input)")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
