"""Shapes of corpus10 (NLP, RL, GNN, speech, time series training code) that the analysis missed.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes (no_grad, .item(), .detach(), a helper that consumes its own output).
"""

from snippets import case_maker, findings

import pytest

case505 = case_maker("GRD505")

# A forward helper (a function or method that runs the model and hands its output back) is called by
# the training loop and by the evaluation loop: the evaluation is the helper's call in the evaluation
# loop, where `with torch.no_grad():` belongs; inside the helper it would break the training.
FORWARD_HELPER_METHOD = """\
import torch
import torch.nn as nn


class Experiment:
    def __init__(self):
        self.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def _one_batch(self, x, y):
        out = self.model(x)
        return out, y

    def validate(self, loader):
        self.model.eval()
        losses = []
        for x, y in loader:
            pred, true = self._one_batch(x, y)  # expect: GRD505
            losses.append(nn.functional.mse_loss(pred.detach(), true).item())
        self.model.train()
        return sum(losses)

    def fit(self, loader):
        for epoch in range(3):
            self.model.train()
            for x, y in loader:
                self.optimizer.zero_grad()
                pred, true = self._one_batch(x, y)
                loss = nn.functional.mse_loss(pred, true)
                loss.backward()
                self.optimizer.step()
            self.validate(loader)
"""

FORWARD_HELPER_FUNCTION = """\
import torch
import torch.nn as nn


def forward(model, batch):
    x, y = batch
    scores = model(x)
    return y, scores


def run(model, train_batches, test_batches):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for batch in train_batches:
        optimizer.zero_grad()
        y, scores = forward(model, batch)
        loss = nn.functional.cross_entropy(scores, y)
        loss.backward()
        optimizer.step()
    model.eval()
    hits = 0
    for batch in test_batches:
        y, scores = forward(model, batch)  # expect: GRD505
        hits += (scores.argmax(1) == y).sum().item()
    return hits


run(nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.2)), [], [])
"""

NEGATIVE_HELPER_UNDER_NO_GRAD = FORWARD_HELPER_FUNCTION.replace(
    "        y, scores = forward(model, batch)  # expect: GRD505\n",
    "        with torch.no_grad():\n            y, scores = forward(model, batch)\n",
)

NEGATIVE_LOOP_UNDER_NO_GRAD = FORWARD_HELPER_METHOD.replace(
    "        for x, y in loader:\n            pred, true = self._one_batch(x, y)  # expect: GRD505\n",
    "        with torch.no_grad():\n          for x, y in loader:\n            pred, true = self._one_batch(x, y)\n",
)

# the helper consumes the output itself (returns a number): the evaluation happens inside it
HELPER_CONSUMING_ITS_OUTPUT = """\
import torch
import torch.nn as nn


def eval_step(model, x):
    return model(x).mean().item()  # expect: GRD505


model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
model.eval()
for x in [torch.randn(2, 4)]:
    eval_step(model, x)
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case505("forward-helper-method-shared-with-training", FORWARD_HELPER_METHOD, lines=(18,)),
        case505("forward-helper-function-shared-with-training", FORWARD_HELPER_FUNCTION, lines=(22,)),
        case505("helper-consuming-its-output", HELPER_CONSUMING_ITS_OUTPUT, lines=(6,)),
    ],
)
def test_grd505_forward_helpers(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize("src", [NEGATIVE_HELPER_UNDER_NO_GRAD, NEGATIVE_LOOP_UNDER_NO_GRAD])
def test_grd505_forward_helpers_silent(src):
    assert findings(src, "GRD505") == []


# The same epoch method called by the class's own train() with a flag: `self.iter_one_epoch()` and
# `self.iter_one_epoch(cross_valid=True)`. The literal flag is a context of its own, whatever the
# model (a constructor argument): the training context records the graph.
FLAG_CALLS = """\
import torch


class Trainer(object):
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def train(self):
        for epoch in range(10):
            tr_loss = self.iter_one_epoch()
            cv_loss = self.iter_one_epoch(cross_valid=True)

    def iter_one_epoch(self, cross_valid=False):
        tot_loss = 0.
        for x, y in self.loader:
            if cross_valid:
                with torch.no_grad():
                    this_loss = self.model(x, y)
            else:
                this_loss = self.model(x, y)
            batch_loss = torch.sum(this_loss)
            ACCUMULATE
            if not cross_valid:
                self.optimizer.zero_grad()
                batch_loss.backward()
                self.optimizer.step()
        return float(tot_loss)
"""


def test_grd502_epoch_method_called_with_a_flag():
    src = FLAG_CALLS.replace("ACCUMULATE", "tot_loss = tot_loss + batch_loss")
    assert findings(src, "GRD502") == [(24, "GRD502")]


@pytest.mark.parametrize("accumulate", ["tot_loss = tot_loss + batch_loss.item()", "tot_loss += float(batch_loss)"])
def test_grd502_epoch_method_called_with_a_flag_silent(accumulate):
    assert findings(FLAG_CALLS.replace("ACCUMULATE", accumulate), "GRD502") == []



def _epoch(accumulate):
    return FLAG_CALLS.replace("ACCUMULATE", accumulate)


@pytest.mark.parametrize(
    "src",
    [
        _epoch("tot_loss += batch_loss.detach()"),
        # accumulated only on the evaluation path, which ran under no_grad
        _epoch("if cross_valid:\n                tot_loss = tot_loss + batch_loss"),
        # nothing in the loop backpropagates: both paths are the caller's business
        _epoch("tot_loss = tot_loss + batch_loss").replace("                batch_loss.backward()\n", ""),
    ],
)
def test_grd502_after_a_no_grad_branch_silent(src):
    assert findings(src, "GRD502") == []


def test_grd503_numpy_on_the_no_grad_path_only():
    src = _epoch("if cross_valid:\n                print(batch_loss.numpy())")
    assert findings(src, "GRD503") == []


def test_no_backward_on_detached_in_the_branch_the_flag_skips():
    # cross_valid=True: `if not cross_valid:` does not run, so its backward() is not on the no_grad value
    src = FLAG_CALLS.replace("ACCUMULATE", "tot_loss = tot_loss + batch_loss.item()")
    assert findings(src) == []


# Gradient accumulation in the training branch of a flagged epoch method: the iterations between
# two steps leave by `continue`; they clear nothing and step nothing, so not every path steps.
ACCUMULATION_WITH_CONTINUE = """\
import torch


class Trainer(object):
    def __init__(self, model, loader, accu):
        self.model = model
        self.loader = loader
        self.accu = accu
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def train(self):
        for epoch in range(10):
            self.iter_one_epoch()
            self.iter_one_epoch(cross_valid=True)

    def iter_one_epoch(self, cross_valid=False):
        n_accu_batch = self.accu
        for x, y in self.loader:
            loss = self.model(x, y)
            if not cross_valid:
                if n_accu_batch == self.accu:
                    self.optimizer.zero_grad()
                loss.backward()
                n_accu_batch -= 1
                if n_accu_batch == 0:
                    self.optimizer.step()
                    n_accu_batch = self.accu
                else:
                    continue
        return 0
"""


def test_grd501_accumulation_window_left_by_continue():
    assert findings(ACCUMULATION_WITH_CONTINUE, "GRD501") == []


def test_grd501_still_reported_without_any_clear():
    src = ACCUMULATION_WITH_CONTINUE.replace(
        "                if n_accu_batch == self.accu:\n                    self.optimizer.zero_grad()\n", ""
    )
    assert findings(src, "GRD501") == [(24, "GRD501")]
