"""A method of a model whose class the analysis does not read (``model.compute_loss(batch)``), whose
result the file's training backpropagates, returns a graph built from the model's parameters whatever
it is given: in an evaluation loop after ``model.eval()`` with gradients enabled it is an evaluation
forward (GRD505), and summing its result keeps each batch's graph (GRD502)."""

import pytest

from tests.snippets import findings

TRAIN = """

def train(model, loader, opt):
    for batch in loader:
        opt.zero_grad()
        loss = model.compute_loss(batch)
        loss.backward()
        opt.step()
"""

EVALUATE = """\
import torch


def evaluate(model, loader):
    model.eval()
    total = 0.0
    for batch in loader:
        loss = model.compute_loss(batch)
        total += loss
    return total / len(loader)
"""


def test_the_evaluation_loop_of_a_method_the_training_backpropagates():
    assert findings(EVALUATE + TRAIN, "GRD505", "GRD502") == [(8, "GRD505"), (9, "GRD502")]


@pytest.mark.parametrize(
    "change",
    [
        # under no_grad: no graph
        ("    for batch in loader:\n        loss", "    with torch.no_grad():\n     for batch in loader:\n        loss"),
        # nothing says `model` is a model whose parameters train
        ("    model.eval()\n", "    model.reset()\n"),
        # frozen whole: its methods build no graph from its parameters
        ("    model.eval()\n", "    model.eval()\n    model.requires_grad_(False)\n"),
    ],
    ids=["no_grad", "not_a_module", "frozen"],
)
def test_silent_without_the_facts(change):
    old, new = change
    assert findings(EVALUATE.replace(old, new) + TRAIN, "GRD505", "GRD502") == []


def test_silent_when_the_file_never_backpropagates_the_method():
    assert findings(EVALUATE + TRAIN.replace("loss.backward()", "print(loss.item())"), "GRD505", "GRD502") == []


def test_the_result_is_not_claimed_for_another_method():
    source = EVALUATE.replace("model.compute_loss(batch)", "model.score(batch)") + TRAIN
    assert findings(source, "GRD505", "GRD502") == []
