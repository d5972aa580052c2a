"""A field or element of a model output picked by subscript is one part of that output.

``out, aux = model(x)`` makes each element an output part (``Value.output_part``): whether it
requires grad is not known until a torch loss takes it as its input. ``model(x)["output"]`` and
``model(x)[0]`` pick a part the same way (FedGen userbase.py: ``output = self.model(x)['output']``
then ``loss += self.loss(output, y)`` in an evaluation loop under grad mode).
"""

import pytest

from snippets import findings

EVALUATION = """\
import copy
import torch
import torch.nn as nn


class User:
    def __init__(self, model, loader):
        self.model = copy.deepcopy(model)
        self.loader = loader
        self.loss = nn.NLLLoss()

    def test(self):
        self.model.eval()
        total = 0
        for x, y in self.loader:
            PICK
            total += USE
        return total
"""


def evaluation(pick, use="self.loss(output, y)"):
    return EVALUATION.replace("PICK", pick).replace("USE", use)


@pytest.mark.parametrize("pick", ["output = self.model(x)['output']", "output = self.model(x)[0]"])
def test_a_part_given_to_a_loss_carries_the_graph(pick):
    assert findings(evaluation(pick), "GRD502") == [(17, "GRD502")]


@pytest.mark.parametrize(
    "pick,use",
    [
        # a part no loss takes: whether it requires grad is not known
        ("output = self.model(x)['output']", "output.sum()"),
        ("output = self.model(x)['output']", "self.loss(output, y).item()"),
        # the target of a loss, not its input
        ("output = self.model(x)['labels']", "self.loss(x, output)"),
        ("with torch.no_grad():\n                output = self.model(x)['output']", "self.loss(output, y)"),
        ("output = self.model(x)['output'].detach()", "self.loss(output, y)"),
    ],
    ids=["no-loss", "item", "loss-target", "no-grad", "detached"],
)
def test_parts_not_shown_to_carry_the_graph(pick, use):
    assert findings(evaluation(pick, use), "GRD502") == []


def test_a_part_of_an_output_made_under_no_grad_is_not_a_graph():
    source = evaluation("output = self.model(x)['output']").replace("    def test(self):", "    @torch.no_grad()\n    def test(self):")
    assert findings(source, "GRD502") == []


def test_a_part_that_no_loss_takes_is_not_reported_by_numpy():
    source = evaluation("output = self.model(x)['output']", "output.numpy().sum()")
    assert findings(source, "GRD503") == []
