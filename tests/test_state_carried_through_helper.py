"""A recurrent state handed to a helper and handed back with the loss (``return_deps``).

``loss, hidden = step(model, batch, hidden)`` in a loop, where ``step`` runs an LSTM on the
``hidden`` it was given and returns its new state: the second iteration's loss is built on the graph
the first iteration's backward() freed, and raises "Trying to backward through the graph a second
time" (GRD504), as ``out, hidden = lstm(x, hidden)`` written in the loop does. The helper's tuple
result used to lose its link to the caller's argument.
"""

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE
from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, batch_first=True)
        self.head = nn.Linear(8, 2)

    def forward(self, x, hidden=None):
        out, hidden = self.lstm(x, hidden)
        return self.head(out[:, -1]), hidden


def step(model, batch, hidden=None):
    x, y = batch
    HELPER_BODY


model = Tagger()
opt = torch.optim.Adam(model.parameters())
loader = [(torch.randn(2, 3, 4), torch.tensor([0, 1]))] * 3
hidden = None
for batch in loader:
    opt.zero_grad()
    BEFORE
    loss, hidden = step(model, batch, hidden)
    loss.backward()  # expect: GRD504
    opt.step()
"""

RETURNS_BOTH = "logits, hidden = model(x, hidden)\n    return F.cross_entropy(logits, y), hidden"


def program(helper_body=RETURNS_BOTH, before="pass"):
    return PROGRAM.replace("HELPER_BODY", helper_body).replace("BEFORE", before)


def marked(src):
    return [(n, "GRD504") for n, line in enumerate(src.splitlines(), 1) if "# expect: GRD504" in line]


def test_state_handed_back_with_the_loss_is_carried_into_the_next_backward():
    src = program()
    assert findings(src, "GRD504") == marked(src) == [(31, "GRD504")]


CELL_LOOP = """\
import torch
import torch.nn as nn


def advance(cell, x, h):
    BODY


cell = nn.GRUCell(3, 5)
opt = torch.optim.SGD(cell.parameters(), lr=0.1)
h = torch.zeros(1, 5)
for t in range(5):
    h = advance(cell, torch.randn(1, 3), h)
    loss = h.pow(2).sum()
    opt.zero_grad()
    loss.backward()  # expect: GRD504
    opt.step()
"""


def test_a_tensor_state_handed_back_alone():
    src = CELL_LOOP.replace("BODY", "return cell(x, h)")
    assert findings(src, "GRD504") == marked(src) == [(16, "GRD504")]


def test_a_tensor_state_the_helper_detaches_is_silent():
    assert findings(CELL_LOOP.replace("BODY", "return cell(x, h.detach())"), "GRD504") == []
    assert findings(CELL_LOOP.replace("BODY", "h = h.detach()\n    return cell(x, h)"), "GRD504") == []


def test_state_detached_before_the_call_is_silent():
    src = program(before="hidden = None if hidden is None else tuple(h.detach() for h in hidden)")
    assert findings(src, "GRD504") == []


def test_state_detached_inside_the_helper_is_silent():
    body = "if hidden is not None:\n        hidden = tuple(h.detach() for h in hidden)\n    " + RETURNS_BOTH
    assert findings(program(body), "GRD504") == []


def test_a_fresh_state_each_call_is_silent():
    # the helper ignores the state it is given: nothing is carried from the previous iteration
    assert findings(program("logits, hidden = model(x)\n    return F.cross_entropy(logits, y), hidden"), "GRD504") == []


def test_loss_not_built_on_the_state_argument_is_silent():
    # the state comes back, but the loss position is computed from a fresh forward
    body = "logits, _ = model(x)\n    _, hidden = model(x, hidden)\n    return F.cross_entropy(logits, y), hidden"
    assert findings(program(body), "GRD504") == []


def test_state_handed_back_by_a_helper_in_another_file(tmp_path):
    src = program()
    header, rest = src.split("def step(", 1)
    helper, loop = ("def step(" + rest).split("\n\nmodel = Tagger()", 1)
    (tmp_path / "nets.py").write_text(header + helper + "\n")
    train = "import torch\nfrom nets import Tagger, step\n\nmodel = Tagger()" + loop
    path = tmp_path / "train.py"
    path.write_text(train)
    forget_projects()
    found = [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD504"]])]
    assert found == marked(train) != []
