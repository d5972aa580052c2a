"""Shapes of corpus16 (held-out training code: continual learning, keyword spotting, NAS,
GAN inpainting, RL, course scripts) that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import textwrap

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


# ---- GRD102: a leaf made from a value taken out of a tensor (`.data`, `.detach()`, `.item()`), bound
# to no name, added into the loss that is backpropagated. An inpainting model adds the losses its
# guidance layers computed as `self.ng_loss += Variable(layer.loss.data, requires_grad=True)` and then
# `self.loss_G += self.ng_loss; self.loss_G.backward()`: the term's gradient stops at a leaf nobody
# can read, so the guidance trains nothing. Only a re-wrapped leaf that was itself backpropagated
# was reported.

case102 = case_maker("GRD102")

GUIDANCE_TERMS_REWRAPPED = """\
import torch
import torch.nn as nn
from torch.autograd import Variable


class Guide(nn.Module):
    def forward(self, h):
        self.penalty = h.pow(2).mean()
        return h


class Painter(nn.Module):
    def __init__(self):
        super().__init__()
        self.guides = [Guide(), Guide()]
        self.body = nn.Sequential(nn.Linear(4, 4), self.guides[0], nn.Linear(4, 4), self.guides[1])
        self.opt = torch.optim.Adam(self.body.parameters())

    def step(self, x, y):
        self.opt.zero_grad()
        self.loss_main = nn.functional.l1_loss(self.body(x), y)
        self.extra = 0
        for guide in self.guides:
            self.extra += Variable(guide.penalty.data, requires_grad=True)  # expect: GRD102
        self.loss_all = self.loss_main + 0.1 * self.extra
        self.loss_all.backward()
        self.opt.step()
"""

ITEM_REWRAPPED_IN_SUM = """\
import torch
import torch.nn as nn
from regularisers import smoothness

net = nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
for x, y in [(torch.randn(4, 3), torch.randn(4, 1))] * 3:
    out = net(x)
    loss = nn.functional.mse_loss(out, y) - torch.tensor(smoothness(out).item(), requires_grad=True)  # expect: GRD102
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

# a named leaf whose gradient is read: an adversarial perturbation made on purpose
NAMED_LEAF_GRAD_READ = """\
import torch
import torch.nn as nn
from torch.autograd import Variable

net = nn.Linear(3, 2)
x = torch.randn(5, 3)
y = torch.randint(0, 2, (5,))
probe = Variable(x.data, requires_grad=True)
loss = nn.functional.cross_entropy(net(probe), y) + 0.0
loss.backward()
x_adv = x + 0.1 * probe.grad.sign()
print(x_adv.shape)
"""

# the re-wrapped copy only goes into a logged total, not into what is backpropagated
REWRAP_ONLY_LOGGED = """\
import torch
import torch.nn as nn
from torch.autograd import Variable
from metrics import sharpness

net = nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
x, y = torch.randn(4, 3), torch.randn(4, 1)
loss = nn.functional.mse_loss(net(x), y)
shown = loss + Variable(sharpness(net).data, requires_grad=True)
opt.zero_grad()
loss.backward()
opt.step()
print(float(shown))
"""

# a running total started as a leaf on purpose (not a value taken out of a tensor)
ZERO_START_LEAF = """\
import torch
import torch.nn as nn

net = nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
total = torch.zeros(1, requires_grad=True)
for x, y in [(torch.randn(4, 3), torch.randn(4, 1))] * 3:
    total = total + nn.functional.mse_loss(net(x), y)
opt.zero_grad()
total.backward()
opt.step()
"""

# the detached copies are concatenated and their gradients read (a chunked loss computed on
# copies): not a term of a sum
REWRAPS_IN_A_LIST = """\
import torch
import torch.nn as nn
from torch.autograd import Variable
from encoders import encode

h = encode(torch.randn(2, 6))
pieces = [Variable(h[:, i:i + 3].data, requires_grad=True) for i in (0, 3)]
score = torch.cat(pieces, dim=1).sum()
score.backward()
print([p.grad.norm() for p in pieces])
"""

GRD102_POSITIVES = [
    case102("guidance_terms_rewrapped", GUIDANCE_TERMS_REWRAPPED, lines=(24,)),
    case102("item_rewrapped_in_sum", ITEM_REWRAPPED_IN_SUM, lines=(9,)),
]
GRD102_NEGATIVES = [
    case102("named_leaf_grad_read", NAMED_LEAF_GRAD_READ),
    case102("rewrap_only_logged", REWRAP_ONLY_LOGGED),
    case102("zero_start_leaf", ZERO_START_LEAF),
    case102("rewraps_in_a_list", REWRAPS_IN_A_LIST),
]


@pytest.mark.parametrize("src,lines", GRD102_POSITIVES)
def test_grd102_fires(src, lines):
    assert findings(src, "GRD102") == [(line, "GRD102") for line in lines]


@pytest.mark.parametrize("src,lines", GRD102_NEGATIVES)
def test_grd102_silent(src, lines):
    assert findings(src, "GRD102") == []


def test_grd505_message_of_a_model_bound_to_an_eval_result():
    # `m = Toy().eval()` (torchao's AWQ calibration tests): the model was put in eval mode where it
    # was made, through no other name
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    source = textwrap.dedent(
        """\
        import torch
        import torch.nn as nn


        def calibrate(dataset):
            m = nn.Sequential(nn.Linear(4, 4)).eval()
            for example in dataset:
                m(example)
        """
    )
    (finding,) = lint_text(source, "snippet.py", [BY_CODE["GRD505"]])
    assert finding.line == 8
    assert "`m` was bound to the result of `.eval()`" in finding.message
    assert "another name" not in finding.message


DATA_PARALLEL_MODULE_EVAL = """\
import torch
import torch.nn as nn

net = nn.DataParallel(nn.Linear(4, 2))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,))) for _ in range(4)]
for epoch in range(10):
    for x, y in loader:
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.module.eval()
    RESTORE
    for x, y in loader:
        acc = (net(x).argmax(1) == y).float().mean()
"""


def test_module_eval_of_a_data_parallel_wrapper_switches_what_it_runs():
    # `net.module.eval()`: the wrapped model, which `net(x)` runs, is in eval mode
    source = DATA_PARALLEL_MODULE_EVAL.replace("RESTORE", "pass")
    assert findings(source, "GRD510", "GRD505") == [(13, "GRD510"), (16, "GRD505")]
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    (finding,) = lint_text(source, "snippet.py", [BY_CODE["GRD505"]])
    assert "after `net.module.eval()`" in finding.message


def test_module_train_of_a_data_parallel_wrapper_restores_it():
    source = DATA_PARALLEL_MODULE_EVAL.replace("RESTORE", "net.module.train()")
    assert findings(source, "GRD510") == []
