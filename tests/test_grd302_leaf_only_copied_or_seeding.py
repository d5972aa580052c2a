"""GRD302 and a non-leaf whose leaf-ness nothing observes: a test of a fused kernel makes its input
with ``torch.randn(..., requires_grad=True).cuda()`` (a non-leaf) but only ever hands it to a helper
of the file that takes ``x.clone().detach().requires_grad_()`` copies (the leaves it checks), and
its upstream gradient ``g = torch.randn(..., requires_grad=True).cuda()`` only seeds
``out.backward(g)``. Nothing reads either name's ``.grad`` or gives it to an optimizer, so nothing is
lost with the leaf. The name's ``.grad`` read, the name handed to a helper that returns it, or a
seed of a backward that builds a graph of the gradient (``create_graph=True``) still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

HELPERS = """\
import torch


def leaf_copy(t, grad=True):
    return t.clone().detach().requires_grad_(grad)


def same(t):
    return t


def shift(t):
    return torch.roll(t, 1, 0)


"""


def _test(body):
    return HELPERS + "def test_shift_backward():\n" + body


SEEDED = """\
    x = torch.randn(4, 3, requires_grad=True).cuda()  # MARK
    g = torch.randn(4, 3, requires_grad=True).cuda()
    a = COPY
    b = leaf_copy(x, True)
    shift(a).backward(g)
    torch.roll(b, 1, 0).backward(g)
    assert torch.equal(a.grad, b.grad)
"""


def _seeded(copy="leaf_copy(x)", marked=False, tail=""):
    body = SEEDED.replace("COPY", copy).replace("  # MARK", "  # expect: GRD302" if marked else "")
    return _test(body + tail)


POSITIVES = [
    case("grad-read", _seeded(marked=True, tail="    print(x.grad)\n"), [17]),
    case("helper-returns-it", _seeded(copy="same(x)", marked=True), [17]),
    case("helper-computes-on-it", _seeded(copy="shift(x)", marked=True), [17]),
    case(
        "seed-of-a-double-backward",
        _test(
            "    g = torch.randn(4, 3, requires_grad=True).cuda()  # expect: GRD302\n"
            "    x = torch.randn(4, 3, requires_grad=True)\n"
            "    gx, = torch.autograd.grad(shift(x), x, grad_outputs=g, create_graph=True)\n"
            "    gx.sum().backward()\n"
        ),
        [17],
    ),
]

NEGATIVES = [
    case("copied-by-a-helper-and-seeding", _seeded()),
    case("copied-in-place", _seeded(copy="x.detach().clone().requires_grad_()")),
    case("copied-through-data", _seeded(copy="x.data.clone().requires_grad_()")),
    case(
        "seed-of-autograd-grad",
        _test(
            "    g = torch.randn(4, 3, requires_grad=True).cuda()\n"
            "    x = torch.randn(4, 3, requires_grad=True)\n"
            "    gx, = torch.autograd.grad(shift(x), x, grad_outputs=g)\n"
            "    assert gx.shape == x.shape\n"
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
