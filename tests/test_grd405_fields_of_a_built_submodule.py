"""GRD405 asks whether a model holds parameters outside the part its optimizer updates. A
continual learner that wraps its network (``self.net = Encoder([n_in, n_out])``) and builds
``SGD(self.net.parameters())`` trains all of itself: the fields ``Encoder.__init__`` stores
(``self.norm``, ``self.fc``) belong to the encoder, not to the learner. The constructor's walk,
run while the learner's ``__init__`` was walked, recorded them as the learner's own fields
(``init_stores``). A learner with a head of its own outside the optimizer still reports, and so does
one whose helper method, called on ``self`` from ``__init__``, builds that head.
"""

from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)

LEARNER = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.norm = nn.BatchNorm1d(sizes[0])
        self.fc = nn.Linear(sizes[0], sizes[1])

    def forward(self, x):
        return self.fc(self.norm(x))


class Learner(nn.Module):
    def __init__(self, n_inputs, n_outputs, lr, extra):
        super().__init__()
        self.net = Encoder([n_inputs, n_outputs])
{head}        self.opt = torch.optim.SGD(self.net.parameters(), lr=lr)  # MARK
        self.ce = nn.CrossEntropyLoss()

    def _build_head(self, n_outputs):
        self.head = nn.Linear(n_outputs, n_outputs)

    def forward(self, x):
        return {forward}

    def observe(self, x, y):
        self.zero_grad()
        loss = self.ce(self(x), y)
        loss.backward()
        self.opt.step()
"""


def _learner(head="", forward="self.net(x)", marked=False):
    src = LEARNER.replace("{head}", head).replace("{forward}", forward)
    return src.replace("# MARK", "# expect: GRD405" if marked else "")


POSITIVES = [
    case(
        "a-head-of-its-own-outside-the-optimizer",
        _learner("        self.head = nn.Linear(n_outputs, n_outputs)\n", "self.head(self.net(x))", True),
        [20],
    ),
    case(
        "a-head-a-helper-builds-on-self",
        _learner("        if extra:\n            self._build_head(n_outputs)\n", "self.head(self.net(x))", True),
        [21],
    ),
]

NEGATIVES = [
    case("a-learner-whose-network-is-all-it-trains", _learner()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
