"""GRD101 and a value built on the first call and kept in a field for every later one (realprec8,
an invertible 1x1 convolution of a flow vocoder): the reverse pass inverts the weight once, wraps
it in ``Variable`` and stores it under ``if not hasattr(self, 'w_inv')``. Under PyTorch 2 the wrap
is ``.detach()``, and it has to be: the field outlives the call, so a graph kept there would be the
first call's (freed by its backward, stale in its values). A field filled on every call, a first-use
test about another field, or the detached value also used in the call that builds it still fire."""

from snippets import case_maker, rule_tests

case = case_maker("GRD101")

_FLOW = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class InvConv(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv1d(c, c, 1, bias=False)

    def forward(self, z, reverse=False):
        w = self.conv.weight.squeeze()
        if reverse:
{cache}            return F.conv1d(z, {used}, bias=None)
        return self.conv(z), torch.logdet(w)


layer = InvConv(4)
out, logdet = layer(torch.randn(2, 4, 8))
(out.sum() + logdet).backward()
back = layer(out.detach(), reverse=True)
"""

_GUARDED = """\
            if {test}:
                w_inv = w.inverse()
                w_inv = Variable(w_inv[..., None]){mark}
                if z.dtype == torch.float16:
                    w_inv = w_inv.half()
                self.w_inv = w_inv
"""
_STORED_DIRECTLY = """\
            if not hasattr(self, 'w_inv'):
                self.w_inv = Variable(w.inverse()[..., None])
"""


def _flow(test="not hasattr(self, 'w_inv')", used="self.w_inv", mark=False, cache=None):
    if cache is None:
        cache = _GUARDED.format(test=test, mark="  # expect: GRD101" if mark else "")
    return _FLOW.format(cache=cache, used=used)


POSITIVES = [
    case(
        "filled_on_every_call",
        _flow(cache="            self.w_inv = Variable(w.inverse()[..., None])  # expect: GRD101\n"),
        lines=(16,),
    ),
    case("first_use_test_of_another_field", _flow(test="not hasattr(self, 'scale')", mark=True), lines=(18,)),
    case("also_used_in_the_building_call", _flow(used="w_inv", mark=True), lines=(18,)),
]

NEGATIVES = [
    case("hasattr_guard", _flow()),
    case("is_none_guard", _flow(test="getattr(self, 'w_inv', None) is None")),
    case("stored_directly", _flow(cache=_STORED_DIRECTLY)),
]

test_fires, test_silent = rule_tests("GRD101", POSITIVES, NEGATIVES)
