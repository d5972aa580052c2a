"""GRD502 on a list or counter of an enclosing scope: ``train_losses.append(loss)`` in a training
function whose list is a module-level variable, ``global total; total += loss``, a closure's
``nonlocal`` counter. The name is not the function's own, so what it holds outlives the loop:
every iteration's graph stays alive as with a list made just before the loop.

Not reported: a name the function binds itself inside the loop, ``.item()`` values, and what an
evaluation loop (no backward) collects into a module-level list, which another function may stack
into a loss.
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters())
train_losses = []
total = 0.0


def train(loader):
{declare}    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        {accumulate}
"""


def _lines(accumulate, declare=""):
    source = PROGRAM.format(accumulate=accumulate, declare=declare)
    return [source.splitlines()[line - 1].strip() for line, _ in findings(source, "GRD502")]


def test_appending_to_a_module_level_list_in_a_training_function_reports():
    assert _lines("train_losses.append(loss)") == ["train_losses.append(loss)"]


def test_adding_to_a_global_counter_reports():
    assert _lines("total += loss", declare="    global total\n") == ["total += loss"]


@pytest.mark.parametrize("accumulate", ["train_losses.append(loss.item())", "train_losses.append(loss.detach())"])
def test_values_without_their_graph_are_silent(accumulate):
    assert _lines(accumulate) == []


def test_a_list_the_function_binds_in_the_loop_is_silent():
    assert _lines("train_losses = [loss]\n        train_losses.append(loss)") == []


CLOSURE = """\
import torch
import torch.nn as nn


def fit(model, loader, optimizer):
    history = []

    def epoch():
        for x, y in loader:
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            history.append(loss)  # expect: GRD502

    epoch()
    return history


fit(nn.Linear(4, 2), [], None)
"""


def test_a_closures_list_reports():
    assert findings(CLOSURE, "GRD502") == [(14, "GRD502")]


EVALUATION = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
outputs = []


def collect(loader):
    model.train()
    for x in loader:
        outputs.append(model(x))


def fit(loader, optimizer):
    collect(loader)
    torch.stack(outputs).sum().backward()
    optimizer.step()
"""


def test_what_an_evaluation_loop_collects_into_a_module_level_list_is_silent():
    assert findings(EVALUATION, "GRD502") == []
