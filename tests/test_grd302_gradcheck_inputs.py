"""GRD302 and the inputs of ``torch.autograd.gradcheck`` / ``gradgradcheck``: an op test builds
``feat = torch.randn(2, 4, requires_grad=True).double()`` and checks the op's gradients with
``gradcheck(op, (feat, mask))``. gradcheck differentiates its inputs with ``autograd.grad``, which
works on a non-leaf (checked with torch 2.13): nothing is lost with the leaf, as for
``torch.autograd.grad``'s ``inputs`` (``differentiated``). A test that reads ``feat.grad`` after a
``backward()`` still needs the leaf."""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

_OP_TEST = """\
    import torch
    from torch.autograd import gradcheck, gradgradcheck


    def blend(feat, mask):
        return (feat * mask).sin()


    def test_blend_gradcheck():
        feat = torch.randn(2, 4, requires_grad=True).double()  # LOST
        mask = torch.randn(2, 4, requires_grad=True).sigmoid().double()  # LOST
        assert gradcheck(blend, (feat, mask), atol=1e-4, eps=1e-4)
        assert gradgradcheck(blend, (feat, mask))
"""


def _marked(src):
    return src.replace("# LOST", "# expect: GRD302")


POSITIVES = [
    case(
        "inputs-whose-grad-the-test-reads-after-backward",
        _marked(_OP_TEST).replace(
            "        assert gradgradcheck(blend, (feat, mask))",
            "        blend(feat, mask).sum().backward()\n        assert feat.grad is not None and mask.grad is not None",
        ),
        lines=(10, 11),
    ),
]

NEGATIVES = [
    case("inputs-checked-with-gradcheck", _OP_TEST),
    case(
        "inputs-checked-with-the-qualified-gradcheck",
        _OP_TEST.replace("from torch.autograd import gradcheck, gradgradcheck", "import torch.autograd")
        .replace("assert gradcheck(", "assert torch.autograd.gradcheck(")
        .replace("assert gradgradcheck(", "assert torch.autograd.gradgradcheck("),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
