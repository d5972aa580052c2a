"""Shapes of corpus18 (held-out training code: course follow-alongs, RL agents, GANs, federated
clients, small research repositories) and of their near neighbours, that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings
from test_project import lint as _lint, write as _write

case502 = case_maker("GRD502")

# ---- GRD502: a loop that never calls backward() collects each chunk's loss, and the function
# returns a graph made from the list (`return torch.stack(losses).mean()`): the loss of a batch split
# into chunks, which the caller backpropagates. The function hands the graph back; it does not
# evaluate. Returning a number made from the list (`.item()`) still is an evaluation loop's history.

CHUNKED_LOSS_STACKED = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def batch_loss(model, chunks):
    losses = []
    for x, y in chunks:
        losses.append(F.cross_entropy(model(x), y))
    return torch.stack(losses).mean()


model = nn.Linear(4, 3)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for chunks in [[(torch.randn(2, 4), torch.tensor([0, 1]))]]:
    opt.zero_grad()
    batch_loss(model, chunks).backward()
    opt.step()
"""

CHUNKED_LOSS_SUMMED_NAME = """\
import torch
import torch.nn as nn


def batch_loss(model, criterion, chunks):
    losses = []
    for x, y in chunks:
        losses.append(criterion(model(x), y))
    total = sum(losses) / len(losses)
    return total


model = nn.Linear(4, 1)
criterion = nn.MSELoss()
opt = torch.optim.Adam(model.parameters())
for chunks in [[(torch.randn(2, 4), torch.randn(2, 1))]]:
    opt.zero_grad()
    batch_loss(model, criterion, chunks).backward()
    opt.step()
"""

CHUNKED_LOSS_IN_A_DICT = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def batch_losses(model, chunks):
    losses = []
    for x, y in chunks:
        losses.append(F.mse_loss(model(x), y))
    return {"loss": torch.stack(losses).sum(), "n": len(losses)}


model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
out = batch_losses(model, [(torch.randn(2, 4), torch.randn(2, 1))])
out["loss"].backward()
opt.step()
"""

# positives: the same loops, whose function returns numbers made from what they collected
EVALUATION_RETURNS_ITEM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def evaluate(model, loader):
    losses = []
    for x, y in loader:
        losses.append(F.cross_entropy(model(x), y))  # expect: GRD502
    return torch.stack(losses).mean().item()


model = nn.Linear(4, 3)
print(evaluate(model, [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

EVALUATION_RETURNS_DICT_OF_ITEMS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def evaluate(model, loader):
    losses = []
    for x, y in loader:
        losses.append(F.cross_entropy(model(x), y))  # expect: GRD502
    mean = torch.stack(losses).mean()
    return {"val_loss": mean.item(), "batches": len(losses)}


model = nn.Linear(4, 3)
print(evaluate(model, [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

EVALUATION_IN_EVAL_MODE_RETURNS_GRAPH = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def validate(model, loader):
    model.eval()
    losses = []
    for x, y in loader:
        losses.append(F.cross_entropy(model(x), y))  # expect: GRD502
    return torch.stack(losses).mean()


model = nn.Linear(4, 3)
print(validate(model, [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""


STACKED_LOSS_ONLY_LOGGED = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def batch_loss(model, chunks):
    losses = []
    for x, y in chunks:
        losses.append(F.cross_entropy(model(x), y))  # expect: GRD502
    return torch.stack(losses).mean()


model = nn.Linear(4, 3)
score = batch_loss(model, [(torch.randn(2, 4), torch.tensor([0, 1]))])
print(f"validation loss {score.item():.3f}")
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("graph_returned_but_only_logged", STACKED_LOSS_ONLY_LOGGED, (9,)),
        case502("returns_item", EVALUATION_RETURNS_ITEM, (9,)),
        case502("returns_dict_of_items", EVALUATION_RETURNS_DICT_OF_ITEMS, (9,)),
        case502("eval_mode_returns_graph", EVALUATION_IN_EVAL_MODE_RETURNS_GRAPH, (10,)),
    ],
)
def test_grd502_evaluation_loop_returning_numbers(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


@pytest.mark.parametrize(
    "src",
    [CHUNKED_LOSS_STACKED, CHUNKED_LOSS_SUMMED_NAME, CHUNKED_LOSS_IN_A_DICT],
    ids=["stacked", "summed_into_a_name", "in_a_dict"],
)
def test_grd502_chunk_losses_handed_back_as_a_graph(src):
    assert findings(src, "GRD502") == []


# whole program: the helper in one file, its caller in another (linted with its siblings; the
# helper's file drives training, `apply_step`, so its callers give its functions their contexts)

CHUNK_HELPER = """\
    import torch
    import torch.nn.functional as F


    def batch_loss(model, chunks):
        losses = []
        for x, y in chunks:
            losses.append(F.cross_entropy(model(x), y))
        return torch.stack(losses).mean()


    def apply_step(optimizer):
        optimizer.step()
        optimizer.zero_grad()
    """

TRAINS_WITH_THE_HELPER = """\
    import torch
    import torch.nn as nn

    from losses import apply_step, batch_loss

    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for chunks in [[(torch.randn(2, 4), torch.tensor([0, 1]))]]:
        loss = batch_loss(model, chunks)
        loss.backward()
        apply_step(opt)
    """


def test_grd502_helper_whose_caller_file_backpropagates(tmp_path):
    _write(tmp_path, {"losses.py": CHUNK_HELPER, "train.py": TRAINS_WITH_THE_HELPER})
    assert [f for f in _lint(tmp_path / "losses.py") if f[1] == "GRD502"] == []



# ---- GRD502: the evaluation loop written as a list comprehension (a course's `evaluate`, corpus18
# pytorch/pytrch_dl.py:136): `outputs = [model.validation_step(batch) for batch in val_loader]`
# with gradients enabled keeps every batch's graph until the function returns, like the loop
# `for batch in loader: outputs.append(model.validation_step(batch))` that already fires.

COURSE_MODEL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x)

    def validation_step(self, batch):
        x, y = batch
        return {"val_loss": F.cross_entropy(self(x), y)}

    def validation_epoch_end(self, outputs):
        return {"val_loss": torch.stack([o["val_loss"] for o in outputs]).mean().item()}


"""

VALIDATION_STEPS_COMPREHENSION = COURSE_MODEL + """\
def evaluate(model, val_loader):
    outputs = [model.validation_step(batch) for batch in val_loader]  # expect: GRD502
    return model.validation_epoch_end(outputs)


print(evaluate(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

LOSSES_COMPREHENSION = COURSE_MODEL + """\
def mean_loss(model, loader):
    losses = [F.cross_entropy(model(x), y) for x, y in loader]  # expect: GRD502
    return torch.stack(losses).mean().item()


def fit(model, loader):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return mean_loss(model, loader)


print(fit(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

# negatives: the same comprehension backpropagated, under no_grad, over models, detached, returned,
# in a module's own method, or in a function its callers run under no_grad
COMPREHENSION_BACKPROPAGATED = COURSE_MODEL + """\
model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
chunks = [(torch.randn(2, 4), torch.tensor([0, 1]))]
opt.zero_grad()
losses = [F.cross_entropy(model(x), y) for x, y in chunks]
torch.stack(losses).mean().backward()
opt.step()
"""

COMPREHENSION_HELPER_BACKPROPAGATED_BY_CALLER = COURSE_MODEL + """\
def chunk_loss(model, chunks):
    losses = [F.cross_entropy(model(x), y) for x, y in chunks]
    return sum(losses) / len(losses)


model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
opt.zero_grad()
chunk_loss(model, [(torch.randn(2, 4), torch.tensor([0, 1]))]).backward()
opt.step()
"""

COMPREHENSION_DECORATED_NO_GRAD = COURSE_MODEL + """\
@torch.no_grad()
def evaluate(model, val_loader):
    outputs = [model.validation_step(batch) for batch in val_loader]
    return model.validation_epoch_end(outputs)


print(evaluate(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

COMPREHENSION_IN_NO_GRAD_BLOCK = COURSE_MODEL + """\
def evaluate(model, val_loader):
    with torch.no_grad():
        outputs = [model.validation_step(batch) for batch in val_loader]
    return model.validation_epoch_end(outputs)


print(evaluate(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

COMPREHENSION_CALLED_UNDER_NO_GRAD = COURSE_MODEL + """\
def evaluate(model, val_loader):
    outputs = [model.validation_step(batch) for batch in val_loader]
    return model.validation_epoch_end(outputs)


with torch.no_grad():
    print(evaluate(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

COMPREHENSION_OVER_MODELS = COURSE_MODEL + """\
def compare(models, x, y):
    losses = [F.cross_entropy(m(x), y) for m in models]
    steps = [m.validation_step((x, y)) for m in models]
    return [l.item() for l in losses], len(steps)


print(compare([Classifier(), Classifier()], torch.randn(2, 4), torch.tensor([0, 1])))
"""

COMPREHENSION_DETACHED = COURSE_MODEL + """\
def evaluate(model, loader):
    losses = [F.cross_entropy(model(x), y).item() for x, y in loader]
    outputs = [model(x).detach() for x, _ in loader]
    return sum(losses) / len(losses), outputs


print(evaluate(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))]))
"""

COMPREHENSION_RETURNED = COURSE_MODEL + """\
def predict(model, loader):
    outputs = [model(x) for x, _ in loader]
    return outputs


print(len(predict(Classifier(), [(torch.randn(2, 4), torch.tensor([0, 1]))])))
"""

COMPREHENSION_REPEATS_ONE_COMPUTATION = COURSE_MODEL + """\
model = Classifier()
x, y = torch.randn(2, 4), torch.tensor([0, 1])
refits = [F.cross_entropy(model(x + 0.1 * torch.randn(2, 4)), y) for _ in range(3)]
print(len(refits))
"""

COMPREHENSION_IN_A_FORWARD = """\
import torch
import torch.nn as nn


class Chunked(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(4, 4)

    def forward(self, x):
        parts = [self.enc(chunk) for chunk in x.split(2)]
        return torch.cat(parts)


print(Chunked()(torch.randn(4, 4)).sum().item())
"""

# flair's lemmatizer (a model whose base class lives in another package): the slices of one
# forward's hidden state, picked per layer, then stacked: no loop over data, no forward per element
COMPREHENSION_SLICES_ONE_OUTPUT = """\
import torch
from torch import nn

import flair.nn


class CharEncoder(flair.nn.Classifier):
    def __init__(self, layers=2):
        super().__init__()
        self.layers = layers
        self.bidirectional = True
        self.char_embedding = nn.Embedding(30, 8)
        self.rnn = nn.GRU(input_size=8, hidden_size=8, batch_first=True, num_layers=layers, bidirectional=True)
        self.project = nn.Linear(16, 8)

    def encode_word(self, word):
        parts = []
        if self.bidirectional:
            chars = self.char_embedding(self.char_ids(word))
            outputs, hidden = self.rnn(chars)
            outputs = self.project(outputs)
            mask = torch.cat(2 * [torch.eye(self.layers).bool()])
            pairs = [hidden[mask[:, i], :, :] for i in range(self.layers)]
            hidden = torch.stack([torch.cat((p[0], p[1]), dim=1) for p in pairs])
            parts.append(hidden)
        return torch.cat(parts, dim=2), outputs
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("validation_steps", VALIDATION_STEPS_COMPREHENSION, (23,)),
        case502("losses", LOSSES_COMPREHENSION, (23,)),
    ],
)
def test_grd502_evaluation_comprehension(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


@pytest.mark.parametrize(
    "src",
    [
        COMPREHENSION_BACKPROPAGATED,
        COMPREHENSION_HELPER_BACKPROPAGATED_BY_CALLER,
        COMPREHENSION_DECORATED_NO_GRAD,
        COMPREHENSION_IN_NO_GRAD_BLOCK,
        COMPREHENSION_CALLED_UNDER_NO_GRAD,
        COMPREHENSION_OVER_MODELS,
        COMPREHENSION_DETACHED,
        COMPREHENSION_RETURNED,
        COMPREHENSION_IN_A_FORWARD,
        COMPREHENSION_REPEATS_ONE_COMPUTATION,
        COMPREHENSION_SLICES_ONE_OUTPUT,
    ],
    ids=[
        "backpropagated",
        "helper_backpropagated_by_caller",
        "decorated_no_grad",
        "no_grad_block",
        "called_under_no_grad",
        "over_models",
        "detached",
        "returned",
        "in_a_forward",
        "repeats_one_computation",
        "slices_one_output",
    ],
)
def test_grd502_comprehension_negatives(src):
    assert findings(src, "GRD502") == []


# ---- GRD502: the other spellings of `losses.append(loss)` (corpus18's commonest pitfall, nine of
# its twelve sure labels, is a history of losses kept with their graphs): `losses += [loss]` and
# `losses.extend([loss])` grow the list the same way.

LIST_GROWN_OTHER_WAYS = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model):
        self.model = model
        self.criterion = nn.MSELoss()
        self.optimizer = torch.optim.Adam(model.parameters())
        self.history = []

    def fit(self, batches, epochs):
        seen = []
        totals = []
        for epoch in range(epochs):
            for x, y in batches:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
                self.history += [loss]  # expect: GRD502
                seen.extend([loss])  # expect: GRD502
                totals += [loss.item()]
        return seen, totals


Trainer(nn.Linear(4, 1)).fit([(torch.randn(2, 4), torch.randn(2, 1))], 2)
"""

LIST_GROWN_AND_BACKPROPAGATED = """\
import torch
import torch.nn as nn
from torch.distributions import Categorical

policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
opt = torch.optim.Adam(policy.parameters())
window = []
for step in range(8):
    x, y = torch.randn(2, 4), torch.randn(2, 2)
    window += [((policy(x) - y) ** 2).mean()]
    if len(window) == 4:
        opt.zero_grad()
        torch.stack(window).mean().backward()
        opt.step()
        window = []

for episode in range(3):
    log_probs, rewards, parts = [], [], []
    for t in range(5):
        dist = Categorical(policy(torch.randn(4)))
        action = dist.sample()
        log_probs.extend([dist.log_prob(action)])
        rewards += [1.0]
        parts.extend(action.tolist())
    loss = -(torch.stack(log_probs) * torch.tensor(rewards)).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_grd502_list_grown_by_plus_equals_and_extend():
    assert findings(LIST_GROWN_OTHER_WAYS, "GRD502") == [(21, "GRD502"), (22, "GRD502")]


def test_grd502_list_grown_then_backpropagated():
    assert findings(LIST_GROWN_AND_BACKPROPAGATED, "GRD502") == []


# ---- GRD502: the list handed on to a function that backpropagates it (`apply(losses)` whose body
# calls backward(), or a function this file does not define) is one training step's graph, in the
# loop form and in the comprehension form; handed to a function of the file that only reads
# numbers from it, it is still an evaluation's history.

LIST_PASSED_TO_A_TRAINING_STEP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import accumulate_and_step

model = nn.Linear(4, 3)
opt = torch.optim.SGD(model.parameters(), lr=0.1)


def apply(losses):
    opt.zero_grad()
    torch.stack(losses).mean().backward()
    opt.step()


def train_chunks(chunks):
    losses = [F.cross_entropy(model(x), y) for x, y in chunks]
    apply(losses)


def train_chunks_loop(chunks):
    losses = []
    for x, y in chunks:
        losses.append(F.cross_entropy(model(x), y))
    apply(losses)


def train_chunks_elsewhere(chunks):
    losses = []
    for x, y in chunks:
        losses.append(F.cross_entropy(model(x), y))
    accumulate_and_step(losses, opt)


for epoch in range(2):
    batch = [(torch.randn(2, 4), torch.tensor([0, 1]))]
    train_chunks(batch)
    train_chunks_loop(batch)
    train_chunks_elsewhere(batch)
"""

LIST_PASSED_TO_A_READER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(4, 3)


def log_losses(losses):
    print(sum(l.item() for l in losses) / len(losses))


def evaluate(loader):
    losses = []
    for x, y in loader:
        losses.append(F.cross_entropy(model(x), y))  # expect: GRD502
    log_losses(losses)
    print(len(losses), torch.stack(losses).mean().item())


evaluate([(torch.randn(2, 4), torch.tensor([0, 1]))])
"""


def test_grd502_list_passed_to_a_function_that_backpropagates():
    assert findings(LIST_PASSED_TO_A_TRAINING_STEP, "GRD502") == []


def test_grd502_list_passed_to_a_function_that_only_reads():
    assert findings(LIST_PASSED_TO_A_READER, "GRD502") == [(15, "GRD502")]
