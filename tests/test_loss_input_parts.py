"""A name bound to a model output part that a loss takes as its input holds a grad tensor.

``logits, feats = model(x)`` with the model's output structure unknown (its class lives in a file
the analysis did not load) leaves each element an output part: which of them carries the graph
is not known. ``loss = criterion(logits, y)`` shows that ``logits`` does (the project's
convention for a loss's input, ``ModuleSemantics._loss_input``); from that statement on, the
name holds a grad tensor, so ``logits.numpy()`` raises and ``history.append(logits)`` keeps
every graph, as they would for ``logits = model(x)``.
"""

import pytest

from snippets import findings

TRAIN = """\
import torch
import torch.nn as nn
from models import build_model

model = build_model()
optimizer = torch.optim.Adam(model.parameters())
criterion = LOSS
for x, y in loader:
    logits, feats = model(x)
    loss = criterion(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    USE
"""


def train(use, loss="nn.CrossEntropyLoss()"):
    return TRAIN.replace("LOSS", loss).replace("USE", use)


@pytest.mark.parametrize("loss", ["nn.CrossEntropyLoss()", "nn.MSELoss()", "lambda a, b: torch.nn.functional.mse_loss(a, b)"])
def test_numpy_of_the_part_a_loss_took_raises(loss):
    assert findings(train("print(logits.numpy())", loss), "GRD503") == [(14, "GRD503")]


def test_functional_loss_on_the_part():
    src = train("acc = logits.numpy().argmax(1)").replace("criterion(logits, y)", "torch.nn.functional.cross_entropy(logits, y)")
    assert findings(src, "GRD503") == [(14, "GRD503")]


def test_storing_the_part_keeps_every_graph():
    src = "history = []\n" + train("history.append(logits)")
    assert findings(src, "GRD502") == [(15, "GRD502")]


@pytest.mark.parametrize(
    "use",
    [
        "print(feats.numpy())",  # the other part: nothing says it carries the graph
        "print(logits.detach().numpy())",
        "print(logits.argmax(1).numpy())",
    ],
)
def test_other_parts_and_detached_reads_stay_silent(use):
    assert findings(train(use), "GRD503") == []


def test_a_rebound_name_is_not_the_part_the_loss_took():
    src = train("print(logits.numpy())").replace("    optimizer.zero_grad()\n", "    optimizer.zero_grad()\n    logits = feats\n")
    assert findings(src, "GRD503") == []


def test_a_read_before_the_loss_stays_unknown():
    src = train("pass").replace("    loss = criterion(logits, y)\n", "    print(logits.numpy())\n    loss = criterion(logits, y)\n")
    assert findings(src, "GRD503") == []


def test_under_no_grad_the_part_carries_nothing():
    src = """\
import torch
import torch.nn as nn
from models import build_model

model = build_model()
optimizer = torch.optim.Adam(model.parameters())
criterion = nn.CrossEntropyLoss()
model.eval()
with torch.no_grad():
    for x, y in loader:
        logits, feats = model(x)
        loss = criterion(logits, y)
        print(loss.item(), logits.numpy())
"""
    assert findings(src) == []


def test_a_part_returned_by_a_training_step_method():
    src = """\
import numpy as np
from torch import nn, optim
from utils import build_model


class Trainer:
    def __init__(self, cfg):
        self.model = build_model(cfg)
        self.opt = optim.SGD(self.model.parameters(), lr=cfg.lr)
        self.crit = nn.MSELoss()

    def step(self, batch):
        x, y = batch
        pred, feats = self.model(x)
        loss = self.crit(pred, y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item(), pred

    def fit(self, loader):
        for batch in loader:
            loss, pred = self.step(batch)
            scores = np.abs(pred.numpy())
"""
    assert findings(src, "GRD503") == [(24, "GRD503")]
