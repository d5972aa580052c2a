"""GRD302 and a non-leaf only ever handed to a module's forward: a loss test moves its prototypes to
the GPU with ``torch.rand((4, 10), requires_grad=True).cuda()`` (a non-leaf) and only calls
``criterion(anchors, targets, prototypes)``. A module computes with its inputs as an op does with
its operands: nothing asks whether ``prototypes`` is a leaf or reads its ``.grad``. Its ``.grad``
read afterwards, the tensor handed to an optimizer or to a function the analysis does not know
still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

TEST = """\
import torch
from torch import nn


class PrototypeLoss(nn.Module):
    def forward(self, anchors, targets, prototypes):
        return (anchors @ prototypes.T).softmax(-1).mean() + targets.mean()


def test_forward_cuda(score):
    criterion = PrototypeLoss()
    anchors = torch.rand((16, 10)).cuda()
    targets = torch.rand((8, 10)).cuda()
    prototypes = torch.rand((4, 10), requires_grad=True).cuda()  # MARK
    loss = CALL
    TAIL
"""


def _test(call="criterion(anchors, targets, prototypes)", tail="assert loss > 0", marked=False):
    src = TEST.replace("CALL", call).replace("TAIL", tail)
    return src.replace("  # MARK", "  # expect: GRD302" if marked else "")


POSITIVES = [
    case("grad-read", _test(tail="loss.backward(); assert prototypes.grad is not None", marked=True), [14]),
    case("optimized", _test(tail="torch.optim.SGD([prototypes], lr=0.1).step()", marked=True), [14]),
    case("unknown-function", _test(call="score(anchors, targets, prototypes)", marked=True), [14]),
]

NEGATIVES = [
    case("module-input-only", _test()),
    case("module-input-then-backward", _test(tail="loss.backward()")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
