"""Shapes of corpus16 (held-out training code: continual learning, keyword spotting, NAS,
GAN inpainting, RL, course scripts) that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case505 = case_maker("GRD505")

# ---- GRD505: an evaluation loop in one arm of an `if` inside the epoch loop, the training loop
# (with its backward()) in the other arm (`if epoch == last: <evaluate> else: <train>`, as a
# continual-learning trainer does). The backward() comes later in the source, so it was taken as
# the backward of what the evaluation loop computed (a model kept in eval mode while its losses
# are summed and backpropagated): the other arm never runs in the same pass.

EVAL_IN_IF_TRAIN_IN_ELSE = """\
import torch
import torch.nn as nn


def fit(net, train_batches, test_batches, opt, epochs):
    loss_fn = nn.CrossEntropyLoss()
    hits = 0
    for epoch in range(epochs):
        if epoch == epochs - 1:
            net.body.eval()
            for xb, yb in test_batches:
                scores = net.body(xb)  # expect: GRD505
                hits += int((scores.argmax(1) == yb).sum())
        else:
            net.body.train()
            for xb, yb in train_batches:
                opt.zero_grad()
                loss_fn(net.body(xb), yb).backward()
                opt.step()
    return hits
"""

EVAL_IN_ELIF_TRAIN_IN_IF = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(6, 4), nn.Dropout(0.2), nn.Linear(4, 2))
opt = torch.optim.Adam(model.parameters())
data = [(torch.randn(3, 6), torch.randint(0, 2, (3,))) for _ in range(4)]
for phase in ["train", "val", "train", "val"]:
    if phase == "train":
        model.train()
        for xb, yb in data:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    elif phase == "val":
        model.eval()
        seen = 0
        for xb, yb in data:
            seen += int((model(xb).argmax(1) == yb).sum())  # expect: GRD505
        print(seen)
"""

# the losses of the eval-mode loop are summed and backpropagated in the same arm (frozen
# batch-norm statistics while training): not an evaluation loop
EVAL_LOOP_LOSSES_BACKPROPAGATED_IN_SAME_ARM = """\
import torch
import torch.nn as nn


def fit(net, batches, opt, epochs, keep_bn_frozen):
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        if keep_bn_frozen:
            net.eval()
            total = 0
            for xb, yb in batches:
                total = total + loss_fn(net(xb), yb)
            opt.zero_grad()
            total.backward()
            opt.step()
        else:
            net.train()
            for xb, yb in batches:
                opt.zero_grad()
                loss_fn(net(xb), yb).backward()
                opt.step()
"""

# the eval-mode loop stores its losses, the backward() after the `if` (reached in the same pass)
# backpropagates them
EVAL_LOOP_LOSSES_BACKPROPAGATED_AFTER_IF = """\
import torch
import torch.nn as nn


def fit(net, batches, opt, epochs, warm):
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        terms = []
        if warm:
            net.eval()
            for xb, yb in batches:
                terms.append(loss_fn(net(xb), yb))
        else:
            net.train()
            for xb, yb in batches:
                terms.append(loss_fn(net(xb), yb))
        opt.zero_grad()
        torch.stack(terms).sum().backward()
        opt.step()
"""

GRD505_POSITIVES = [
    case505("eval_in_if_train_in_else", EVAL_IN_IF_TRAIN_IN_ELSE, lines=(12,)),
    case505("eval_in_elif_train_in_if", EVAL_IN_ELIF_TRAIN_IN_IF, lines=(18,)),
]
GRD505_NEGATIVES = [
    case505("eval_losses_backpropagated_in_same_arm", EVAL_LOOP_LOSSES_BACKPROPAGATED_IN_SAME_ARM),
    case505("eval_losses_backpropagated_after_if", EVAL_LOOP_LOSSES_BACKPROPAGATED_AFTER_IF),
]


@pytest.mark.parametrize("src,lines", GRD505_POSITIVES)
def test_grd505_fires(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize("src,lines", GRD505_NEGATIVES)
def test_grd505_silent(src, lines):
    assert findings(src) == []


# ---- GRD505: the evaluation runs the model under another name of the same object. A language
# model's `evaluate()` calls `model.eval()` and then runs `parallel_model(data, hidden)`, bound at
# module level to `model.cuda()` or `nn.DataParallel(model, dim=1).cuda()` (or `model` itself):
# the switch of `model` was not known to reach `parallel_model`.

RUN_THROUGH_MOVED_GLOBAL = """\
import torch
import torch.nn as nn

use_gpu = torch.cuda.is_available()
lm = nn.GRU(8, 16)
if use_gpu:
    if torch.cuda.device_count() > 1:
        runner = nn.DataParallel(lm, dim=1).cuda()
    else:
        runner = lm.cuda()
else:
    runner = lm


def score(chunks):
    lm.eval()
    total = 0.0
    state = torch.zeros(1, 2, 16)
    for chunk in chunks:
        out, state = runner(chunk, state)  # expect: GRD505
        total += out.pow(2).mean().item()
    return total
"""

RUN_THROUGH_LOCAL_WRAPPER = """\
import torch
import torch.nn as nn


def predict_all(model, loader):
    wrapped = nn.DataParallel(model)
    model.eval()
    labels = []
    for xb in loader:
        labels.append(wrapped(xb).argmax(1).tolist())  # expect: GRD505
    return labels
"""

# a deep copy is another module, whose mode the switch of `model` does not change
RUN_A_COPY = """\
import copy
import torch
import torch.nn as nn


def predict_all(model, loader):
    shadow = copy.deepcopy(model)
    model.eval()
    labels = []
    for xb in loader:
        labels.append(shadow(xb).argmax(1).tolist())
    return labels
"""

# `runner` is also bound to another model: not known to be `lm`
RUN_NAME_ALSO_BOUND_ELSEWHERE = """\
import torch
import torch.nn as nn

lm = nn.GRU(8, 16)
other = nn.GRU(8, 16)
runner = lm.cuda() if torch.cuda.is_available() else lm
if torch.cuda.device_count() > 4:
    runner = other


def score(chunks):
    lm.eval()
    total = 0.0
    for chunk in chunks:
        out, _ = runner(chunk)
        total += out.pow(2).mean().item()
    return total
"""

RUN_THROUGH_WRAPPER_UNDER_NO_GRAD = """\
import torch
import torch.nn as nn


@torch.no_grad()
def predict_all(model, loader):
    wrapped = nn.DataParallel(model)
    model.eval()
    return [wrapped(xb).argmax(1).tolist() for xb in loader]
"""

ALIAS_POSITIVES = [
    case505("run_through_moved_global", RUN_THROUGH_MOVED_GLOBAL, lines=(20,)),
    case505("run_through_local_wrapper", RUN_THROUGH_LOCAL_WRAPPER, lines=(10,)),
]
ALIAS_NEGATIVES = [
    case505("run_a_copy", RUN_A_COPY),
    case505("run_name_also_bound_elsewhere", RUN_NAME_ALSO_BOUND_ELSEWHERE),
    case505("run_through_wrapper_under_no_grad", RUN_THROUGH_WRAPPER_UNDER_NO_GRAD),
]


@pytest.mark.parametrize("src,lines", ALIAS_POSITIVES)
def test_grd505_alias_fires(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize("src,lines", ALIAS_NEGATIVES)
def test_grd505_alias_silent(src, lines):
    assert findings(src) == []


def test_grd505_alias_message_names_the_runner():
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    (finding,) = lint_text(RUN_THROUGH_LOCAL_WRAPPER, "snippet.py", [BY_CODE["GRD505"]])
    assert "another name of `wrapped`" in finding.message
