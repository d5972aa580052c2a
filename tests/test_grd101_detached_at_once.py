"""GRD101 and a copy the same expression takes out of the graph at once: ``Variable(self.mix).data``
in a forward that uses a parameter as a constant weight (MXNet's ``get_constant``, ported). The
``.data`` (or ``.detach()``, ``.item()``) asks for the cut itself: no gradient could flow there with
the tensor either, so the wrapper loses nothing by mistake. ``Variable(self.mix)`` used as it is, or
a ``torch.tensor`` of losses whose ``.data`` is read later, still cut a graph meant to train."""

from snippets import case_maker, rule_tests

CODE = "GRD101"
case = case_maker(CODE)

_MODEL = """\
    import torch
    from torch import nn
    import torch.nn.functional as F
    from torch.autograd import Variable


    class FixedMix(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(20, 20)
            self.mix = nn.Parameter(torch.empty(20, 20).uniform_(0, 1))
            self.out = nn.Linear(20, 1)

        def forward(self, x):
            x = self.hidden(x)
            x = F.relu(torch.mm(x, Variable(self.mix).data) + 1)  # CUT
            return self.out(x)


    net = FixedMix()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = net(torch.randn(4, 20)).sum()
    loss.backward()
    opt.step()
"""

_LOSSES = """\
    import torch
    from torch import nn

    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(8, 3)
    a = model(x).pow(2).mean()
    b = model(x).abs().mean()
    total = torch.tensor([a, b]).sum()  # CUT
    print(total.data)
    opt.zero_grad()
    total.backward()
    opt.step()
"""


def _marked(src):
    return src.replace("# CUT", "# expect: GRD101")


POSITIVES = [
    case("a-parameter-wrapped-and-used-as-it-is", _marked(_MODEL).replace("Variable(self.mix).data", "Variable(self.mix)"), lines=(16,)),
    case("losses-copied-into-a-tensor-read-through-data-later", _marked(_LOSSES), lines=(9,)),
]

NEGATIVES = [
    case("a-parameter-wrapped-and-detached-at-once-by-data", _MODEL),
    case("a-parameter-wrapped-and-detached-at-once-by-detach", _MODEL.replace("Variable(self.mix).data", "Variable(self.mix).detach()")),
    case(
        "losses-copied-and-read-as-a-number-at-once",
        _LOSSES.replace("total = torch.tensor([a, b]).sum()  # CUT", "print(torch.tensor([a, b]).tolist())\n    total = a + b"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
