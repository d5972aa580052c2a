"""GRD505 for an epoch loop calling a training helper and then a validation helper, both of another
file: ``train(model, data, opt)`` switches the model with ``train()``, backpropagates and steps;
``acc = test(model, data)`` switches it with ``eval()`` and runs a forward with gradients enabled
(corpus35 hou27 GNN/basic: ``main.py`` loops over ``run.py``'s ``train`` and ``test``). The helpers'
switches, updates and forward stand at their calls; the validation forward, run by the call that
switched the model to ``eval()``, is that model's (its path, unknown in the callee's names, is the
one the call switched). It is reported at the call, where ``no_grad`` belongs as much as in the
helper. Silent: the helper under ``@torch.no_grad()``, and a validation called before the training
helper."""

from snippets import lint_path, write_project

RUN = """\
import torch
import torch.nn.functional as F


def train(model, data, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(data[0]), data[1])
    loss.backward()
    optimizer.step()


DECORATOR
def test(model, data):
    model.eval()
    out = model(data[0])
    return (out.argmax(dim=1) == data[1]).float().mean().item()
"""

MAIN = """\
import torch
import torch.nn as nn
from run import train, test

model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
data = (torch.randn(40, 8), torch.randint(0, 3, (40,)))

for epoch in range(100):
    BODY
"""


def _lint(tmp_path, body, decorator=""):
    write_project(tmp_path, {"run.py": RUN.replace("DECORATOR\n", decorator), "main.py": MAIN.replace("    BODY", body)})
    return lint_path(tmp_path / "main.py", select={"GRD505"})


def test_validation_helper_after_the_training_helper(tmp_path):
    assert _lint(tmp_path, "    train(model, data, optimizer)\n    acc = test(model, data)\n") == [(11, "GRD505")]


def test_validation_helper_under_no_grad(tmp_path):
    body = "    train(model, data, optimizer)\n    acc = test(model, data)\n"
    assert _lint(tmp_path, body, "@torch.no_grad()\n") == []


def test_validation_before_the_training_helper(tmp_path):
    assert _lint(tmp_path, "    acc = test(model, data)\n    train(model, data, optimizer)\n") == []
