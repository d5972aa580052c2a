"""GRD302 and a test block that imports ``gradcheck`` just before calling it, after the statement that
made the non-leaf input: ``x = torch.rand(..., requires_grad=True).double()``, then ``from
torch.autograd import gradcheck`` and ``gradcheck(layer, [x])``. gradcheck differentiates a non-leaf
as well (``differentiated``), but the import was not bound yet when the statement was judged, so the
call was not recognised (realprec11 outlier-exposure NLP_language_modeling/torchqrnn/qrnn.py:178/190,
false alarms). The scope's own ``from X import y`` statements now qualify such a call.

Still reported: the same block reading ``x.grad`` after a backward(), and a call of a ``gradcheck`` of
the project's own (not torch's).
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

LAYER = """\
import torch
from torch import nn


class Gate(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, 2 * width)

    def forward(self, x):
        value, gate = self.linear(x).chunk(2, dim=-1)
        return value * torch.sigmoid(gate)


"""

NEGATIVES = [
    case(
        "gradcheck-imported-in-the-test-block",
        LAYER
        + """\
if __name__ == "__main__":
    x = torch.rand(4, 3, requires_grad=True).double()
    gate = Gate(3).double()
    print(gate(x).shape)
    from torch.autograd import gradcheck
    inputs = [x]
    print(gradcheck(gate, inputs))
""",
    ),
    case(
        "gradcheck-imported-under-another-name",
        LAYER
        + """\
def check():
    x = torch.rand(4, 3, requires_grad=True).double()
    gate = Gate(3).double()
    from torch.autograd import gradcheck as check_gradients
    return check_gradients(gate, (x,))
""",
    ),
]

POSITIVES = [
    case(
        "grad-read-in-the-test-block",
        LAYER
        + """\
if __name__ == "__main__":
    x = torch.rand(4, 3, requires_grad=True).double()  # expect: GRD302
    gate = Gate(3).double()
    gate(x).sum().backward()
    from torch.autograd import gradcheck
    print(x.grad)
""",
        lines=(16,),
    ),
    case(
        "a-gradcheck-of-the-project",
        LAYER
        + """\
if __name__ == "__main__":
    x = torch.rand(4, 3, requires_grad=True).double()  # expect: GRD302
    gate = Gate(3).double()
    gate(x).sum().backward()
    from checks import gradcheck
    print(gradcheck(gate, [x]), x.grad)
""",
        lines=(16,),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
