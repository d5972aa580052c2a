"""Shapes from the corpus8 recall study (real training code nobody here wrote), as small programs.

- Integer and boolean results never require grad (only a floating point or complex tensor can):
  ``torch.multinomial(probs, 1)`` gives sampled indices, ``torch.isin``/``signbit``/``greater``
  give masks. A float sample from ``x.bernoulli()`` is tracked by autograd (zero gradient), so its
  ``.numpy()`` raises like any graph tensor's.
- ``loss, _, _ = model(img, boxes)`` then ``train_loss += loss`` and ``loss.backward()``: the
  backward proves the unpacked ``loss`` as it proves a name bound alone (DAVE train_similarity.py).
- ``model, optimiser, epoch, ... = Net.load_checkpoint_if_exists(fname, model, optimiser, ...)`` of a
  helper nothing resolves gives back a module and an optimizer under the names it was given
  (LION FBPConvNet_train.py, whose eval() inside the epoch loop was then missed).
"""

import pytest

from snippets import findings

SAMPLER = """\
import torch
import torch.nn as nn


def sample(model, x):
    out = model(x)
    probs = torch.softmax(out, dim=1)
    picked = {expr}.cpu().numpy(){expect}
    return picked


sample(nn.Linear(3, 3), torch.randn(2, 3))
"""


@pytest.mark.parametrize(
    "expr",
    [
        "torch.multinomial(probs.view(-1), 1)[0]",
        "probs.multinomial(1)",
        "torch.isin(out, out)",
        "torch.signbit(out)",
        "out.signbit()",
        "torch.greater(out, 0.5)",
        "out.less_equal(0.5)",
        "out.logical_not()",
        "out.argwhere()",
    ],
)
def test_integer_and_boolean_results_never_require_grad(expr):
    assert findings(SAMPLER.format(expr=expr, expect=""), "GRD503") == []


@pytest.mark.parametrize("expr", ["probs.bernoulli()", "torch.softmax(out, 0)", "out.max(1)[0]"])
def test_float_results_of_a_graph_still_require_grad(expr):
    # x.bernoulli() has a grad_fn (BernoulliBackward0): its .numpy() raises
    src = SAMPLER.format(expr=expr, expect="  # expect: GRD503")
    assert findings(src, "GRD503") == [(8, "GRD503")]


UNPACKED_LOSS = """\
def train(model, optimizer, loader, epochs):
    for epoch in range(epochs):
        train_loss = 0
        accuracies = []
        for img, boxes in loader:
            optimizer.zero_grad()
            {unpack} = model(img, boxes)
            {accumulate}
            {backward}
            optimizer.step()
        print(train_loss, accuracies)
"""


@pytest.mark.parametrize("unpack", ["loss, _, _", "(loss, logits)", "[loss, aux]"])
def test_a_backward_proves_a_name_bound_by_unpacking(unpack):
    # DAVE train_similarity.py: `loss, _, _ = model(img, bboxes); train_loss += loss; loss.backward()`
    src = UNPACKED_LOSS.format(unpack=unpack, accumulate="train_loss += loss", backward="loss.backward()")
    assert findings(src, "GRD502") == [(8, "GRD502")]


@pytest.mark.parametrize(
    "accumulate,backward",
    [
        ("train_loss += loss.item()", "loss.backward()"),  # accumulated as a number
        ("accuracies.append(acc)", "loss.backward()"),  # the backward proves loss, not its sibling
        ("train_loss += loss", "if epoch > 0: loss.backward()"),  # not on every path
        ("train_loss += loss", "pass"),  # nothing proves loss requires grad
    ],
)
def test_what_the_backward_does_not_prove_stays_silent(accumulate, backward):
    src = UNPACKED_LOSS.format(unpack="loss, acc", accumulate=accumulate, backward=backward)
    assert findings(src, "GRD502") == []


CHECKPOINT_RESUME = """\
import torch
from mypackage.models import Net
from mypackage import utils

model = Net()
optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
model.train()
{resume}
for epoch in range(start_epoch, 100):
{train_mode}    for x, y in train_loader:
        optimiser.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimiser.step()
    model.eval(){expect}
    with torch.no_grad():
        for x, y in valid_loader:
            valid_loss = ((model(x) - y) ** 2).mean().item()
"""


@pytest.mark.parametrize(
    "resume",
    [
        "model, optimiser, start_epoch, total_loss = Net.load_checkpoint_if_exists(fname, model, optimiser, 0.0)",
        "model, optimiser, start_epoch = utils.resume(fname, model=model, optimizer=optimiser)",
    ],
)
def test_a_resume_helper_that_nothing_resolves_gives_back_the_model_and_optimizer(resume):
    # CambridgeCIA/LION FBPConvNet_train.py: the rebinding lost the model, so the eval() inside the
    # epoch loop with train() only before it went unreported
    src = CHECKPOINT_RESUME.format(resume=resume, train_mode="", expect="  # expect: GRD510")
    assert findings(src, "GRD510") == [(15, "GRD510")]


@pytest.mark.parametrize(
    "resume,train_mode",
    [
        # train() at the start of each epoch: nothing to report
        ("model, optimiser, start_epoch = utils.resume(fname, model, optimiser)", "    model.train()\n"),
        # a single result may be another object (`copy.deepcopy(model)`): nothing is kept
        ("model = utils.resume(fname, model); start_epoch = 0", ""),
        # a model the call was not given: what it returns is not known
        ("model, optimiser, start_epoch = utils.resume(fname, optimiser)", ""),
    ],
)
def test_what_a_resume_helper_does_not_give_back_stays_unknown(resume, train_mode):
    src = CHECKPOINT_RESUME.format(resume=resume, train_mode=train_mode, expect="")
    assert findings(src, "GRD510") == []
