"""GRD203 for a weight an op saved through its transpose (``logits = h @ emb.weight.t()``, tied
embeddings) and then rewritten through ``.data`` before backward() (torchrec#2836's eviction re-init
of embedding rows): ``.t()`` is a view, so the op saved the weight itself, and ``emb.weight`` of a
torch layer whose parameters train is a parameter although no statement bound it. The gradient of
``h`` is then computed with the new rows, silently (checked with torch 2.13). Rewritten before the
forward, or after backward(), nothing saved it."""

from snippets import findings

_TIED = """\
import torch
import torch.nn as nn


def step(optimizer, ids, targets):
    emb = nn.Embedding(50, 8)
    mix = nn.Linear(8, 8)
{before}
    h = torch.tanh(mix(emb(ids)))
    logits = h @ {weight}.t()
{between}
    loss = nn.functional.cross_entropy(logits.view(-1, 50), targets.view(-1))
    loss.backward()
{after}


step(None, torch.randint(0, 50, (2, 3)), torch.randint(0, 50, (2, 3)))
"""

_WRITE = "    {weight}.data[:5] = torch.randn(5, 8)"


def _src(weight, where):
    parts = {"before": "", "between": "", "after": ""}
    parts[where] = _WRITE.format(weight=weight)
    return _TIED.format(weight=weight, **parts)


def test_layer_weight_saved_through_its_transpose_then_rewritten():
    assert findings(_src("emb.weight", "between"), "GRD203") == [(11, "GRD203")]


def test_leaf_saved_through_its_transpose_then_rewritten():
    src = _src("w", "between").replace("    mix = nn.Linear(8, 8)\n", "    mix = nn.Linear(8, 8)\n    w = torch.randn(50, 8, requires_grad=True)\n")
    assert findings(src, "GRD203") == [(12, "GRD203")]


def test_rewritten_before_the_forward():
    assert findings(_src("emb.weight", "before"), "GRD203") == []


def test_rewritten_after_backward():
    assert findings(_src("emb.weight", "after"), "GRD203") == []


def test_view_of_a_layer_weight_keeps_no_graph_across_iterations():
    # `scores = model(x) @ model.emb.weight.t()` in each iteration: the view of the parameter is made
    # anew each time, it holds no graph a backward() freed (GRD504 stays silent)
    src = """\
import torch
import torch.nn as nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)

    def forward(self, items):
        return self.emb(items).mean(1)


def train(model, batches, optimizer):
    for items, target in batches:
        optimizer.zero_grad()
        scores = model(items) @ model.emb.weight.t()
        loss = nn.functional.cross_entropy(scores, target)
        loss.backward()
        optimizer.step()


model = Tied()
train(model, [(torch.randint(0, 20, (4, 5)), torch.randint(0, 20, (4,)))] * 2, torch.optim.Adam(model.parameters()))
"""
    assert findings(src) == []
