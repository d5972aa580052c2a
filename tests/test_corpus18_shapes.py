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

