"""Shapes from the session-20 precision sweep (training code nobody here wrote), as small programs.

- Deep mutual learning (corpus9 Deep-Mutual-Learning trainer.py: peer models, each trained on its
  cross-entropy plus a KL term towards the other peers' predictions): ``F.softmax(Variable(out_j))``
  as the *target* of a KL loss is a deliberate detach (the peers' predictions held constant), not a
  cut graph: the loss still backpropagates through its input (no GRD101). ``Variable(...)`` in the
  input position, or as the second input of a loss comparing two inputs (triplet), still reports.
- The per-model losses of one batch are backpropagated one after the other, each through its own
  model's output ``outputs[i]``: the backward of one element of a list the code filled frees that
  element's graph, not its siblings' (no GRD504). A second backward through one output still reports.
- An evaluation loop over batches that runs each peer (``for model in models:`` nested in the batch
  loop) keeps one batch's outputs in a list made afresh for each batch, and adds up one batch's KL
  terms in an inner loop that runs no model: neither grows across batches (no GRD502). What is kept
  across batches (``history.append(outputs[0])``) still reports, also with the peers' class in
  another file.
- fairscale's fp32 master copies ``nn.Parameter(p.data.float()).to(p.device)``: the move goes where
  the copy already is, so the name holds the Parameter (no GRD302). A move elsewhere still reports.
- torchtune's recipes restart ``running_loss = 0`` after each gradient-accumulation window: a bounded
  window of graphs, not the history (no GRD502). Never restarted, it still reports.
- A learned optimiser's unroll (corpus10 learning-to-learn learner.py): ``x = x + update`` feeds the
  next step, and the meta-loss started afresh by the call adds nothing the unroll does not keep
  (no GRD502). A list kept across calls, or the same sum without an unroll, still reports.
- deepchem's weave model switches layers to ``eval()`` inside ``forward``: the forward's output is
  what training backpropagates, not an evaluation loop (no GRD505). An evaluation loop after
  ``model.eval()`` still reports.
"""

import textwrap

from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE
from snippets import findings

MUTUAL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

models = [nn.Linear(4, 3), nn.Linear(4, 3)]
optimizers = [torch.optim.SGD(m.parameters(), lr=0.1) for m in models]
kl = nn.KLDivLoss(reduction="batchmean")
ce = nn.CrossEntropyLoss()
for step in range(3):
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    outputs = []
    for model in models:
        outputs.append(model(x))
    for i in range(2):
        j = 1 - i
        loss = ce(outputs[i], y) + {term}
        optimizers[i].zero_grad()
        loss.backward()
        optimizers[i].step()
"""


def _mutual(term, code="GRD101"):
    return findings(MUTUAL.format(term=term), code)


def test_variable_as_the_target_of_a_kl_loss_module():
    assert _mutual("kl(F.log_softmax(outputs[i], dim=1), F.softmax(Variable(outputs[j]), dim=1))") == []


def test_variable_as_the_target_keyword_of_a_functional_loss():
    assert _mutual("F.mse_loss(outputs[i], target=Variable(outputs[j]))") == []
    assert _mutual("F.kl_div(F.log_softmax(outputs[i], dim=1), F.softmax(Variable(outputs[j]), dim=1))") == []


def test_variable_as_the_input_of_a_loss_still_reports():
    assert _mutual("kl(F.log_softmax(Variable(outputs[i]), dim=1), F.softmax(outputs[j].detach(), dim=1))") == [
        (17, "GRD101")
    ]


def test_variable_as_the_second_input_of_a_triplet_loss_still_reports():
    term = "F.triplet_margin_loss(outputs[i], Variable(outputs[j]), torch.randn(8, 3))"
    assert _mutual(term) == [(17, "GRD101")]


def test_one_backward_per_element_of_a_list_of_outputs():
    assert _mutual("0.0", "GRD504") == []


def test_second_backward_through_the_same_output_still_reports():
    src = textwrap.dedent(
        """\
        import torch
        import torch.nn as nn

        model = nn.Linear(4, 3)
        out = model(torch.randn(8, 4))
        outputs = [out, out * 2]
        first = outputs[0].sum() + out.mean()
        first.backward()
        second = outputs[1].sum() + out.mean()
        second.backward()  # expect: GRD504
        """
    )
    assert findings(src, "GRD504") == [(10, "GRD504")]


NETS = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.body(x)
"""

EVALUATE = """\
import torch
import torch.nn.functional as F
{header}

def evaluate(loader):
    models = [Net(), Net()]
    for model in models:
        model.eval()
    history = []
    scores = []
    for images, labels in loader:
        outputs = []
        for model in models:
            outputs.append(model(images))
        for i in range(len(models)):
            kl = 0
            for j in range(len(models)):
                if i != j:
                    kl += F.kl_div(F.log_softmax(outputs[i], dim=1), F.softmax(outputs[j].detach(), dim=1))
            scores.append(kl.item())
        {kept}
    return scores, history
"""

KEPT = "history.append(outputs[0])"


def _evaluate(tmp_path, kept, own_file):
    """GRD502 findings, as (line of the statement, code); the peers' class in the file or in another."""
    header = "\n" + NETS if own_file else "\nfrom nets import Net\n"
    src = EVALUATE.format(header=header, kept=kept)
    (tmp_path / "nets.py").write_text(NETS)
    path = tmp_path / "evaluate.py"
    path.write_text(src)
    lines = src.splitlines()
    return [(lines[f.line - 1].strip(), f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD502"]])]


def test_evaluation_of_peer_models_keeps_one_batch_at_a_time(tmp_path):
    assert _evaluate(tmp_path, "pass", own_file=False) == []
    assert _evaluate(tmp_path, "pass", own_file=True) == []


def test_evaluation_of_peer_models_keeping_outputs_across_batches(tmp_path):
    assert _evaluate(tmp_path, KEPT, own_file=False) == [(KEPT, "GRD502")]
    assert _evaluate(tmp_path, KEPT, own_file=True) == [(KEPT, "GRD502")]


MASTER_COPIES = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2).half()
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
masters = []
for p in model.parameters():
    p32 = {made}
    p32.grad = torch.zeros_like(p32.data)
    masters.append(p32)
optimizer = torch.optim.Adam(masters)
"""


def _master(made):
    return findings(MASTER_COPIES.format(made=made), "GRD302")


def test_parameter_moved_to_the_device_of_the_tensor_it_copies():
    # fairscale's fp32 master copies of fp16 parameters: `.to(p.device)` is where the copy already is
    assert _master("nn.Parameter(p.data.float()).to(p.device)") == []
    assert _master("torch.zeros_like(p, requires_grad=True).to(device=p.device)") == []


def test_parameter_moved_elsewhere_still_reports():
    assert _master("nn.Parameter(p.data.float()).to(device)") == [(8, "GRD302")]
    assert _master("nn.Parameter(torch.randn(4).float()).to(p.device)") == [(8, "GRD302")]
    assert _master("nn.Parameter(p.data.float()).to(p.device, torch.float64)") == [(8, "GRD302")]


WINDOW = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
accumulation = 4
running_loss = 0
for epoch in range(2):
    for idx in range(16):
        x, y = torch.randn(8, 4), torch.randn(8, 1)
        loss = nn.functional.mse_loss(model(x), y)
        running_loss += loss
        loss.backward()
        if (idx + 1) % accumulation == 0:
            optimizer.step()
            optimizer.zero_grad()
            print(running_loss.item() / accumulation)
            {reset}
"""


def test_running_loss_restarted_after_each_accumulation_window():
    # torchtune's recipes: the graphs of one gradient-accumulation window, not of the whole run
    assert findings(WINDOW.format(reset="running_loss = 0"), "GRD502") == []


def test_running_loss_never_restarted_still_reports():
    assert findings(WINDOW.format(reset="pass"), "GRD502") == [(12, "GRD502")]
    assert findings(WINDOW.format(reset="running_loss = running_loss * 0.9"), "GRD502") == [(12, "GRD502")]


UNROLL = """\
import torch
import torch.nn as nn


class Learner:
    def __init__(self, f, optimizer, steps):
        self.f, self.optimizer, self.steps = f, optimizer, steps
        self.losses = []
        self.meta_loss = 0

    def __call__(self, x, state=None):
        self.meta_loss = 0
        for i in range(self.steps):
            loss = self.f(x)
            self.meta_loss += loss
            loss.backward(retain_graph=True)
            {update}
            x.retain_grad()
        return self.meta_loss


def quadratic(x):
    return (x ** 2).sum()


learned = nn.LSTMCell(4, 4)
learner = Learner(quadratic, lambda g, s: learned(g.view(1, 4), s), 5)
meta_optimizer = torch.optim.Adam(learned.parameters())
for epoch in range(3):
    meta_optimizer.zero_grad()
    learner(torch.zeros(4, requires_grad=True)).backward()
    meta_optimizer.step()
"""

STEP = "update, state = self.optimizer(x.grad, state)\n            x = x + update[0].view(4)"


def test_meta_loss_of_an_unrolled_optimisation():
    # a learned optimiser: each step's graph is built on the previous one's (x = x + update)
    assert findings(UNROLL.format(update=STEP), "GRD502") == []


def test_history_kept_across_unrolls_or_without_unroll_still_reports():
    kept = STEP + "\n            self.losses.append(loss)"
    assert findings(UNROLL.format(update=kept), "GRD502") == [(19, "GRD502")]
    in_place = "with torch.no_grad():\n                x -= 0.1 * x.grad"
    assert findings(UNROLL.format(update=in_place), "GRD502") == [(15, "GRD502")]


WEAVE = """\
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(8, 8)
        self.norm = nn.BatchNorm1d(8)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(), Block()])

    def {method}(self, x):
        for block in self.blocks:
            x = block.dense(x)
            block.norm.eval()
            x = block.norm(x)
        return x


model = Model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    optimizer.zero_grad()
    model(torch.randn(4, 8)).sum().backward()
    optimizer.step()
"""


def test_layers_switched_to_eval_inside_a_forward():
    # deepchem's weave model: the forward's output is what training backpropagates
    assert findings(WEAVE.format(method="forward"), "GRD505") == []


def test_evaluation_loop_in_a_method_of_the_model_still_reports():
    predict = WEAVE.format(method="forward") + textwrap.dedent(
        """\
        model.eval()
        for x in torch.randn(5, 4, 8):
            print(model.forward(x).argmax(dim=1))  # expect: GRD505
        """
    )
    assert findings(predict, "GRD505") == [(33, "GRD505")]
