"""A model chosen by name from a dict of the project's classes (``class_choices``).

corpus25's Negative-Gaussian-Mixture-Model experiment builder: ``available_models = {name: Class,
...}``, ``model = available_models[model_config["model_name"]](device, n_clusters=..., sparsity=...)``,
then ``loss = model.neglog_likelihood(data)``, ``train_loss += loss`` in the batch loop. The model's
class was unknown (a subscript with a run-time key), so the loss was too, and GRD502 stayed silent.
Now each class is a choice, the method runs on each, and the result is what they all agree on; a
class whose ``__init__`` cannot take the call's arguments is no choice (it raises ``TypeError``).

Our own snippets, each a complete program.
"""

from snippets import findings

CLASSES = """\
import torch
import torch.nn as nn


class Small(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, 1)

    def nll(self, x):
        return -torch.mean(self.fc(x))

    def forward(self, x):
        return self.nll(x)


class Big(nn.Module):
    def __init__(self, n, hidden=8):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(n, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def nll(self, x):
        return -torch.mean(self.fc(x))

    def forward(self, x):
        return self.nll(x)
"""

LOOP = """

MODELS = {"small": Small, "big": Big}


def run(name, loader):
    model = MODELS[name](4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    total = 0
    for x in loader:
        optimizer.zero_grad()
        loss = model.nll(x)
        total += loss
        model(x).backward()
        optimizer.step()
    return total
"""


def test_every_class_computes_a_graph_loss():
    src = CLASSES + LOOP
    line = src.splitlines().index("        total += loss") + 1
    assert findings(src, "GRD502") == [(line, "GRD502")]


def test_only_the_class_that_takes_the_keywords_is_a_choice():
    # `Small` has no `hidden` parameter: `MODELS[name](4, hidden=16)` can only make a `Big` (a `Small`
    # would raise TypeError there), so that `Small` has no `nll` does not matter
    src = """\
import torch
import torch.nn as nn


class Small(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, 1)

    def forward(self, x):
        return -torch.mean(self.fc(x))


class Big(nn.Module):
    def __init__(self, n, hidden=8):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(n, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def nll(self, x):
        return -torch.mean(self.fc(x))

    def forward(self, x):
        return self.nll(x)
""" + LOOP.replace("MODELS[name](4)", "MODELS[name](4, hidden=16)")
    line = src.splitlines().index("        total += loss") + 1
    assert findings(src, "GRD502") == [(line, "GRD502")]


def test_a_class_whose_method_gives_a_number_leaves_the_loss_unknown():
    src = CLASSES.replace("        return -torch.mean(self.fc(x))", "        return -torch.mean(self.fc(x)).item()", 1) + LOOP
    assert findings(src, "GRD502") == []


def test_a_class_without_the_method_leaves_the_loss_unknown():
    src = CLASSES.replace("    def nll(self, x):\n        return -torch.mean(self.fc(x))\n\n", "", 1) + LOOP
    src = src.replace("        return self.nll(x)", "        return -torch.mean(self.fc(x))", 1)
    assert findings(src, "GRD502") == []


def test_accumulating_the_number_is_silent():
    src = CLASSES + LOOP.replace("        total += loss", "        total += loss.item()")
    assert findings(src, "GRD502") == []


def test_evaluation_under_no_grad_is_silent():
    src = CLASSES + """

MODELS = {"small": Small, "big": Big}


def evaluate(name, loader):
    model = MODELS[name](4)
    total = 0
    with torch.no_grad():
        for x in loader:
            total += model.nll(x)
    return total
"""
    assert findings(src) == []
