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
