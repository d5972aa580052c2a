"""``torch.jit.script(model)`` returns a ScriptModule sharing the model's parameters and sub-modules
(``scripted.conv1`` is the model's ``conv1``; ``train()``/``eval()`` switch it the same): a graph
example scripts its two-layer network and builds its optimizer from parameter groups of
``model.conv1`` and ``model.conv2``, which is all of it. The scripted model is still the model's
class: GRD405 stays silent, and reports when the class has a part the groups leave out.
"""

from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)

NET = """\
import torch
import torch.nn.functional as F
from torch import nn


class GraphNet(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.conv1 = nn.Linear(n_in, n_hidden)
        self.conv2 = nn.Linear(n_hidden, n_out)
        EXTRA

    def forward(self, x):
        x = F.dropout(x, p=0.5, training=self.training)
        return self.conv2(self.conv1(x).relu())


model = torch.jit.script(GraphNet(8, 16, 3))
optimizer = torch.optim.Adam([  # MARK
    dict(params=model.conv1.parameters(), weight_decay=5e-4),
    dict(params=model.conv2.parameters(), weight_decay=0),
], lr=0.01)


def train(x, y):
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
"""


def _net(extra="pass", marked=False):
    return NET.replace("EXTRA", extra).replace("  # MARK", "  # expect: GRD405" if marked else "")


POSITIVES = [
    case("a-part-left-out", _net("self.embed = nn.Linear(n_in, n_in)", True), [19]),
]

NEGATIVES = [
    case("every-part-in-the-groups", _net()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
