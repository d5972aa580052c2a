"""Shapes of corpus14 (held-out training code: course assignments, federated learning, knowledge
editing, RL) that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings
from test_project import lint as _lint, write as _write

case502 = case_maker("GRD502")

# ---- GRD502: a subclass of a plain (non-nn.Module) class of the project sees the fields its base's
# __init__ established. A federated-learning client `class UserDistill(User)` trains with the loss
# modules and the optimizer that `User.__init__` built: what it sums across iterations is known.

CLIENT_SUBCLASS = """\
import copy

import torch
import torch.nn as nn


class User:
    def __init__(self, model, lr):
        self.model = copy.deepcopy(model)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.init_loss_fn()

    def init_loss_fn(self):
        self.loss = nn.NLLLoss()
        self.ensemble_loss = nn.KLDivLoss(reduction="batchmean")


class UserDistill(User):
    def train(self, batches, teacher, epochs):
        reg_total, train_total = 0, 0
        for epoch in range(epochs):
            self.model.train()
            for x, y in batches:
                self.optimizer.zero_grad()
                output = self.model(x)["output"]
                train_loss = self.loss(output, y)
                reg_loss = self.ensemble_loss(output, teacher(x))
                reg_total += reg_loss  # expect: GRD502
                train_total += train_loss  # expect: GRD502
                loss = train_loss + 0.1 * reg_loss
                loss.backward()
                self.optimizer.step()
        return reg_total, train_total
"""

OWN_INIT_SUBCLASS = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, lr):
        self.criterion = nn.MSELoss()
        self.lr = lr


class RegressionTrainer(Trainer):
    def __init__(self, model, lr):
        super().__init__(lr)
        self.model = model
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)

    def fit(self, batches):
        history = []
        for x, y in batches:
            self.optimizer.zero_grad()
            pred = self.model(x)
            loss = self.criterion(pred, y)
            (loss + 1e-4 * pred.abs().mean()).backward()
            self.optimizer.step()
            history.append(loss)  # expect: GRD502
        return history
"""

# negatives: what the base's field no longer is in the subclass, and the correct accumulation
REBOUND_FIELD = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self):
        self.criterion = nn.MSELoss()


class CustomTrainer(Trainer):
    def __init__(self, make_criterion):
        super().__init__()
        self.criterion = make_criterion()
        self.model = nn.Linear(4, 1)
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def fit(self, batches):
        total = 0
        for x, y in batches:
            self.optimizer.zero_grad()
            value = self.criterion(self.model(x), y)
            total += value
            self.model(x).sum().backward()
            self.optimizer.step()
        return total
"""

ITEM_ACCUMULATION = """\
import copy

import torch
import torch.nn as nn


class User:
    def __init__(self, model):
        self.model = copy.deepcopy(model)
        self.loss = nn.NLLLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)


class UserAvg(User):
    def train(self, batches):
        total = 0.0
        for x, y in batches:
            self.optimizer.zero_grad()
            loss = self.loss(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("client_subclass_of_plain_base", CLIENT_SUBCLASS, (28, 29)),
        case502("subclass_with_own_init_calling_super", OWN_INIT_SUBCLASS, (25,)),
    ],
)
def test_grd502_fields_inherited_from_a_plain_base_class(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


@pytest.mark.parametrize("src", [REBOUND_FIELD, ITEM_ACCUMULATION], ids=["rebound_field", "item_accumulation"])
def test_grd502_inherited_fields_negatives(src):
    assert findings(src, "GRD502") == []


# ---- whole program: folders without __init__.py (namespace packages), imported by their dotted
# path from a file of a sub-folder (`from FLAlgorithms.users.userbase import User` in
# FLAlgorithms/users/userFedDistill.py, run from the repository's top). The module is found above
# the importer's folder.


BASE_CLIENT = """\
    import copy

    import torch
    import torch.nn as nn


    class User:
        def __init__(self, model):
            self.model = copy.deepcopy(model)
            self.loss = nn.NLLLoss()
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
    """

DISTILL_CLIENT = """\
    from fl.clients.base import User


    class UserDistill(User):
        def train(self, batches):
            total = 0
            for x, y in batches:
                self.optimizer.zero_grad()
                out = self.model(x)
                nll = self.loss(out, y)
                total += nll
                (nll + 0.01 * out.pow(2).mean()).backward()
                self.optimizer.step()
            return total
    """


def test_namespace_package_import_from_a_sub_folder(tmp_path):
    _write(tmp_path, {"fl/clients/base.py": BASE_CLIENT, "fl/clients/distill.py": DISTILL_CLIENT})
    assert _lint(tmp_path / "fl" / "clients" / "distill.py") == [(11, "GRD502")]


def test_namespace_package_module_class(tmp_path):
    _write(
        tmp_path,
        {
            "nets/layers/net.py": """\
                import torch.nn as nn

                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 2)

                    def forward(self, x):
                        return self.fc(x)
                """,
            "nets/scripts/run.py": """\
                import torch
                from nets.layers.net import Net

                model = Net()
                out = model(torch.randn(1, 4))
                print(out.numpy())
                """,
        },
    )
    assert _lint(tmp_path / "nets" / "scripts" / "run.py") == [(6, "GRD503")]


def test_namespace_lookup_needs_the_whole_dotted_path(tmp_path):
    # `from clients.base import User` with no clients/ folder anywhere above: still unknown
    _write(
        tmp_path,
        {
            "fl/base.py": BASE_CLIENT,
            "fl/clients/distill.py": DISTILL_CLIENT.replace("fl.clients.base", "clients.base"),
        },
    )
    assert _lint(tmp_path / "fl" / "clients" / "distill.py") == []



def test_namespace_lookup_stops_at_the_repository_top(tmp_path):
    # the same layout inside a repository (its top marked by .git) whose `fl` folder lies above
    # the repository: another checkout's code is not this project's
    _write(tmp_path, {"fl/clients/base.py": BASE_CLIENT})
    repo = tmp_path / "fl" / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo, {"clients/distill.py": DISTILL_CLIENT})
    assert _lint(repo / "clients" / "distill.py") == []
    unmarked = tmp_path / "fl" / "work"
    _write(unmarked, {"clients/distill.py": DISTILL_CLIENT})
    assert _lint(unmarked / "clients" / "distill.py") == [(11, "GRD502")]

case505 = case_maker("GRD505")

# ---- GRD505: a forward that takes gradients only when given an argument. knowledge-neurons'
# BertForMaskedLM.forward(..., tmp_score=None, tgt_label=None) ends in `if tmp_score is None: return
# logits` / `else: return probs, torch.autograd.grad(...)`: the inference loops that never pass
# tmp_score do not need grad mode (before, any autograd.grad in the forward exempted every loop).

PROBE_MODEL = """\
import torch
import torch.nn as nn


class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x, scale=None, label=None):
        if scale is not None:
            x = x * scale
        logits = self.fc(x)
        if scale is None:
            return logits
        else:
            probs = logits.softmax(-1)
            return probs, torch.autograd.grad(probs[:, label].sum(), scale)[0]


model = Probe()
model.eval()
"""

INFERENCE_WITHOUT_THE_ARGUMENT = PROBE_MODEL + """\
hits = 0
for x, y in [(torch.randn(2, 8), 1)] * 3:
    logits = model(x)  # expect: GRD505
    hits += int(logits.argmax(-1)[0] == y)
"""

EARLY_RETURN_GUARD = """\
import torch
import torch.nn as nn


class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x, scale=None):
        logits = self.fc(x if scale is None else x * scale)
        if scale is None:
            return logits
        return torch.autograd.grad(logits.sum(), scale)[0]


model = Probe()
model.eval()
total = 0.0
for x in [torch.randn(2, 8)] * 3:
    total += model(x).max().item()  # expect: GRD505
"""

# negatives: the loop passes the argument (by keyword, by position), or the gradient is unconditional
INTEGRATED_GRADIENTS = PROBE_MODEL + """\
grads = []
for x, y in [(torch.randn(2, 8), 1)] * 3:
    scale = torch.linspace(0, 1, 2).unsqueeze(1).requires_grad_(True)
    probs, grad = model(x, scale=scale, label=y)
    grads.append(grad.sum(0))
"""

POSITIONAL_ARGUMENT = PROBE_MODEL + """\
grads = []
for x, y in [(torch.randn(2, 8), 1)] * 3:
    scale = torch.ones(2, 1, requires_grad=True)
    probs, grad = model(x, scale, y)
    grads.append(grad.sum(0))
"""

UNCONDITIONAL_GRADIENT = """\
import torch
import torch.nn as nn


class Saliency(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x, scale=None):
        x = x.clone().requires_grad_(True)
        logits = self.fc(x)
        return logits, torch.autograd.grad(logits.sum(), x)[0]


model = Saliency()
model.eval()
maps = []
for x in [torch.randn(2, 8)] * 3:
    logits, saliency = model(x)
    maps.append(saliency.abs())
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case505("inference_without_the_argument", INFERENCE_WITHOUT_THE_ARGUMENT, (25,)),
        case505("early_return_guard", EARLY_RETURN_GUARD, (21,)),
    ],
)
def test_grd505_gradients_the_forward_takes_only_when_asked(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize(
    "src",
    [INTEGRATED_GRADIENTS, POSITIONAL_ARGUMENT, UNCONDITIONAL_GRADIENT],
    ids=["keyword_argument", "positional_argument", "unconditional_gradient"],
)
def test_grd505_forwards_that_take_gradients_stay_exempt(src):
    assert findings(src, "GRD505") == []


# ---- GRD505: a forward given a tensor that the function made require grad on purpose is run for
# its gradients. knowledge-neurons' 1_analyze_mlm.py (linted alone, the model's class imported):
# `scaled_weights.requires_grad_(True)` then `model(..., tmp_score=batch_weights, tgt_label=y)`, whose
# forward takes integrated gradients itself. The loop's plain prediction forward is still reported.

ASKED_INPUT_GRADIENTS = """\
import torch

from custom_model import Explainer

model = Explainer.from_pretrained("probe")
model.eval()
attributions = []
for x, y in [(torch.randn(1, 8), 1)] * 3:
    logits = model(x)  # expect: GRD505
    base = torch.zeros(4, 8)
    steps = torch.linspace(0, 1, 4).unsqueeze(1) * base
    steps.requires_grad_(True)
    _, grad = model(x, scale=steps, label=y)
    attributions.append(grad.sum(0).tolist())
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case505("asked_input_gradients", ASKED_INPUT_GRADIENTS, (9,)),
    ],
)
def test_grd505_inputs_made_to_require_grad(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


# ---- GRD503: whole outputs of a model of another file's class, appended to a list then given to
# np.array (corpus14 knowledge-neurons src/4_check_weights_distant.py:344/368/392, linted alone:
# the model's forward, in another file, returns a list of `.item()` floats when asked
# `imp_op="return"`). An output of unknown structure is not established to be, or hold, a tensor
# until the code uses it as only a tensor can be used (`out.shape`, `out.view(...)`).

WHOLE_OUTPUTS_TO_NUMPY = """\
import numpy as np
import torch

from scoring import Scorer

model = Scorer.from_pretrained("base")
model.eval()
rows = []
for x in torch.randn(4, 2, 3):
    weights = model(x, mode="return")
    rows.append(weights)
table = np.array(rows)
"""

SHOWN_TENSOR_OUTPUTS_TO_NUMPY = """\
import numpy as np
import torch

from scoring import Scorer

model = Scorer.from_pretrained("base")
model.eval()
rows = []
for x in torch.randn(4, 2, 3):
    weights = model(x)
    print(weights.shape)
    rows.append(weights)
table = np.array(rows)  # expect: GRD503
"""

case503 = case_maker("GRD503")


def test_grd503_silent_on_whole_outputs_of_unknown_structure():
    assert findings(WHOLE_OUTPUTS_TO_NUMPY, "GRD503") == []


@pytest.mark.parametrize("src, lines", [case503("shown_tensor", SHOWN_TENSOR_OUTPUTS_TO_NUMPY, (13,))])
def test_grd503_whole_outputs_shown_to_be_tensors(src, lines):
    assert findings(src, "GRD503") == [(line, "GRD503") for line in lines]
