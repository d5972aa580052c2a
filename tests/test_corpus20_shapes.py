"""Shapes of corpus20 (held-out training code: course assignments split into train/test modules,
PINNs, tutorials, notebooks) and of corpus19's LBFGS homework, that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case502 = case_maker("GRD502")

# ---- GRD502: a closure defined in the batch loop and run by `optimizer.step(closure)` (LBFGS, and
# any optimizer taking a closure) adds its loss into a `nonlocal` total. The closure's body is walked
# as a scope of its own, outside the loop, but the loop runs it once per iteration: the total keeps
# every batch's graph until the epoch ends, as `total += loss` in the loop's own body would.

CLOSURE_NONLOCAL_TOTAL = """\
import torch
import torch.nn as nn


def fit(model, batches, criterion, epochs):
    optimizer = torch.optim.LBFGS(model.parameters())
    for epoch in range(epochs):
        epoch_loss = 0
        for inputs, targets in batches:
            def closure():
                nonlocal epoch_loss
                optimizer.zero_grad()
                batch_loss = criterion(model(inputs), targets)
                batch_loss.backward()
                epoch_loss += batch_loss  # expect: GRD502
                return batch_loss
            optimizer.step(closure)
        print(epoch, epoch_loss / len(batches))
"""

# a script's loop, the total a module-level name the closure declares `global`, grown by append
CLOSURE_GLOBAL_HISTORY = """\
import torch
import torch.nn as nn

net = nn.Linear(3, 1)
opt = torch.optim.LBFGS(net.parameters())
history = []
data = [(torch.randn(4, 3), torch.randn(4, 1)) for _ in range(5)]
for x, y in data:
    def closure():
        global history
        opt.zero_grad()
        loss = (net(x) - y).pow(2).mean()
        loss.backward()
        history.append(loss)  # expect: GRD502
        return loss
    opt.step(closure)
"""

# the loop calls the closure itself
CLOSURE_CALLED_DIRECTLY = """\
import torch
import torch.nn as nn


def train(model, loader):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    running = 0

    for x, y in loader:
        def step():
            nonlocal running
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            running += loss  # expect: GRD502
        step()
    return running
"""

# negatives

CLOSURE_TOTAL_OF_ITEMS = """\
import torch


def fit(model, batches, criterion):
    optimizer = torch.optim.LBFGS(model.parameters())
    total = 0.0
    for inputs, targets in batches:
        def closure():
            nonlocal total
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            total += loss.item()
            return loss
        optimizer.step(closure)
    return total
"""

CLOSURE_TOTAL_DETACHED = """\
import torch


def fit(model, batches, criterion):
    optimizer = torch.optim.LBFGS(model.parameters())
    total = 0
    for inputs, targets in batches:
        def closure():
            nonlocal total
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            total += loss.detach()
            return loss
        optimizer.step(closure)
    return total
"""

# the batch loop starts the total afresh in every iteration: a bounded window, not the history
CLOSURE_TOTAL_RESET_EACH_ITERATION = """\
import torch


def fit(model, batches, criterion):
    optimizer = torch.optim.LBFGS(model.parameters(), max_iter=5)
    for inputs, targets in batches:
        evaluations = 0
        def closure():
            nonlocal evaluations
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            evaluations += loss
            return loss
        optimizer.step(closure)
        print(evaluations)
"""

# the closure backpropagates the total it builds: the sum is the loss, meant to keep its graph
CLOSURE_BACKPROPAGATES_ITS_TOTAL = """\
import torch


def fit(model, batches, criterion):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in batches:
        total = 0
        def closure():
            nonlocal total
            optimizer.zero_grad()
            for chunk_x, chunk_y in zip(x.chunk(2), y.chunk(2)):
                total = total + criterion(model(chunk_x), chunk_y)
            total.backward()
            return total
        optimizer.step(closure)
"""

# a closure the loop never runs (handed to a scheduler-like callback registry)
CLOSURE_NOT_RUN_BY_THE_LOOP = """\
import torch

callbacks = []


def fit(model, batches, criterion):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    seen = 0
    for x, y in batches:
        def report():
            nonlocal seen
            loss = criterion(model(x), y)
            loss.backward()
            seen += loss
        callbacks.append(report)
        optimizer.step()
"""

# a closure computing the loss under no_grad for logging
CLOSURE_TOTAL_UNDER_NO_GRAD = """\
import torch


def fit(model, batches, criterion):
    optimizer = torch.optim.LBFGS(model.parameters())
    total = 0
    for inputs, targets in batches:
        def closure():
            nonlocal total
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            with torch.no_grad():
                total += criterion(model(inputs), targets)
            return loss
        optimizer.step(closure)
    return total
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("closure_nonlocal_total", CLOSURE_NONLOCAL_TOTAL, (15,)),
        case502("closure_global_history", CLOSURE_GLOBAL_HISTORY, (14,)),
        case502("closure_called_directly", CLOSURE_CALLED_DIRECTLY, (16,)),
        case502("total_of_items", CLOSURE_TOTAL_OF_ITEMS),
        case502("total_detached", CLOSURE_TOTAL_DETACHED),
        case502("total_reset_each_iteration", CLOSURE_TOTAL_RESET_EACH_ITERATION),
        case502("closure_backpropagates_its_total", CLOSURE_BACKPROPAGATES_ITS_TOTAL),
        case502("closure_not_run_by_the_loop", CLOSURE_NOT_RUN_BY_THE_LOOP),
        case502("total_under_no_grad", CLOSURE_TOTAL_UNDER_NO_GRAD),
    ],
)
def test_grd502_total_carried_by_a_closure_the_loop_runs(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


# ---- GRD503: a training function appends each batch's loss to a module-level list, and the
# script plots that list after calling it (the course notebooks' `train()` / `test()` cells, then
# `axs[0, 0].plot(train_losses)`). The module's own statements run the function: from the call on,
# the module's list holds what the call appended, and matplotlib converts every element with
# `.numpy()`, which raises for a loss that requires grad.

case503 = case_maker("GRD503")

GLOBAL_HISTORY_PLOTTED = """\
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt

train_losses = []


def train(model, loader, optimizer):
    model.train()
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        train_losses.append(loss)
        loss.backward()
        optimizer.step()


model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LogSoftmax(dim=1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(2, 4), torch.tensor([0, 1]))]
for epoch in range(2):
    train(model, loader, opt)
fig, axs = plt.subplots(2, 2)
axs[0, 0].plot(train_losses)  # expect: GRD503
"""

GLOBAL_HISTORY_AVERAGED = """\
import numpy as np
import torch

history = []


def step(net, opt, x, y):
    opt.zero_grad()
    loss = (net(x) - y).pow(2).mean()
    loss.backward()
    opt.step()
    history.append(loss)


net = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
step(net, opt, torch.randn(4, 3), torch.randn(4, 1))
print(np.mean(history))  # expect: GRD503
"""

# negatives

GLOBAL_HISTORY_OF_ITEMS = """\
import torch
import matplotlib.pyplot as plt

history = []


def step(net, opt, x, y):
    opt.zero_grad()
    loss = (net(x) - y).pow(2).mean()
    loss.backward()
    opt.step()
    history.append(loss.item())


net = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
step(net, opt, torch.randn(4, 3), torch.randn(4, 1))
plt.plot(history)
"""

# plotted before the function that fills it runs: still empty there
GLOBAL_HISTORY_PLOTTED_BEFORE_THE_CALL = """\
import torch
import matplotlib.pyplot as plt

history = []


def step(net, opt, x, y):
    opt.zero_grad()
    loss = (net(x) - y).pow(2).mean()
    loss.backward()
    opt.step()
    history.append(loss)


net = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
plt.plot(history)
step(net, opt, torch.randn(4, 3), torch.randn(4, 1))
"""

# the function fills the list with predictions made under no_grad
GLOBAL_PREDICTIONS_UNDER_NO_GRAD = """\
import numpy as np
import torch

predictions = []


def predict(net, batches):
    net.eval()
    for x in batches:
        predictions.append(net(x))


net = torch.nn.Linear(3, 1)
with torch.no_grad():
    predict(net, [torch.randn(4, 3)])
print(np.mean(predictions))
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case503("global_history_plotted", GLOBAL_HISTORY_PLOTTED, (24,)),
        case503("global_history_averaged", GLOBAL_HISTORY_AVERAGED, (18,)),
        case503("global_history_of_items", GLOBAL_HISTORY_OF_ITEMS),
        case503("plotted_before_the_call", GLOBAL_HISTORY_PLOTTED_BEFORE_THE_CALL),
        case503("predictions_under_no_grad", GLOBAL_PREDICTIONS_UNDER_NO_GRAD),
    ],
)
def test_grd503_module_list_filled_by_a_call_of_the_module(src, lines):
    assert findings(src, "GRD503") == [(line, "GRD503") for line in lines]


# ---- GRD505: `model.to(device).eval()` on a model handed in (the YOLO detect loop of a capstone
# project): `to()` returns the module it moved, so the switch is the model's own; the loop then
# runs it per image with gradients on. Before, only `model.eval()` on the name, or the chained form
# on an object made in the same expression (`Net().to(d).eval()`), told an unresolved name it was a
# model in eval mode.

case505 = case_maker("GRD505")

MOVED_THEN_EVALUATED = """\
import torch


def detect(model, images, device):
    model.to(device).eval()
    found = []
    for img in images:
        pred = model(img.to(device))  # expect: GRD505
        found.append(pred.argmax().item())
    return found
"""

CUDA_THEN_EVALUATED = """\
import torch


def score(net, loader):
    net.cuda().eval()
    hits = 0
    for x, y in loader:
        hits += (net(x.cuda()).argmax(1) == y.cuda()).sum().item()  # expect: GRD505
    return hits
"""

# negatives

MOVED_THEN_EVALUATED_UNDER_NO_GRAD = """\
import torch


def detect(model, images, device):
    model.to(device).eval()
    found = []
    with torch.no_grad():
        for img in images:
            found.append(model(img.to(device)).argmax().item())
    return found
"""

MOVED_THEN_TRAINED = """\
import torch


def fit(model, loader, optimizer, device):
    model.to(device).train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        optimizer.step()
"""

# the chain switches another object than the one the loop runs
OTHER_MODEL_EVALUATED = """\
import torch


def distill(student, teacher, loader, optimizer):
    teacher.to("cpu").eval()
    for x, y in loader:
        with torch.no_grad():
            soft = teacher(x)
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(student(x), soft)
        loss.backward()
        optimizer.step()
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case505("moved_then_evaluated", MOVED_THEN_EVALUATED, (8,)),
        case505("cuda_then_evaluated", CUDA_THEN_EVALUATED, (8,)),
        case505("moved_then_evaluated_under_no_grad", MOVED_THEN_EVALUATED_UNDER_NO_GRAD),
        case505("moved_then_trained", MOVED_THEN_TRAINED),
        case505("other_model_evaluated", OTHER_MODEL_EVALUATED),
    ],
)
def test_grd505_model_moved_then_switched_in_one_expression(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]
