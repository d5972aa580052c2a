"""Multi-head models: an ``nn.ModuleDict`` of heads, and dicts built by comprehension.

``self.heads = nn.ModuleDict({"cls": nn.Linear(...), "box": nn.Linear(...)})`` has parameters (its
members have), its members by key are those modules (``self.heads["cls"](x)``), and a forward returning
``{name: head(x) for name, head in self.heads.items()}`` gives a dict whose every value carries the
graph. Before, the container's parameters were unknown and a dict comprehension had no value, so an
evaluation helper summing ``model(x)["cls"]`` losses with their graphs went unreported (GRD502).
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = HEADS

    def forward(self, x):
        FORWARD


def evaluate(model, loader):
    total = 0
    for x, y in loader:
        LOSS
        total += ACCUMULATED
    return total / len(loader)


if __name__ == "__main__":
    print(evaluate(Heads(), [(torch.randn(2, 4), torch.randn(2, 1))]))
"""

MODULE_DICT = 'nn.ModuleDict({"cls": nn.Linear(4, 1), "box": nn.Linear(4, 1)})'
LOSS = 'loss = ((model(x)["cls"] - y) ** 2).mean()'


def _program(heads=MODULE_DICT, forward="return self.heads[\"cls\"](x)", loss=LOSS, accumulated="loss"):
    return (
        PROGRAM.replace("HEADS", heads)
        .replace("FORWARD", forward)
        .replace("LOSS", loss)
        .replace("ACCUMULATED", accumulated)
    )


ONE_TENSOR = "loss = ((model(x) - y) ** 2).mean()"


@pytest.mark.parametrize(
    "forward,loss",
    [
        ('return self.heads["cls"](x)', ONE_TENSOR),
        ("return sum(head(x) for head in self.heads.values())", ONE_TENSOR),
        ("return torch.stack([head(x) for name, head in self.heads.items()]).sum(0)", ONE_TENSOR),
        ('outs = {name: head(x) for name, head in self.heads.items()}\n        return outs["cls"]', ONE_TENSOR),
        ("return {name: head(x) for name, head in self.heads.items()}", LOSS),
    ],
    ids=["by-key", "values", "items", "comprehension-inside", "comprehension-returned"],
)
def test_an_evaluation_sum_of_a_multi_head_models_losses_keeps_their_graphs(forward, loss):
    source = _program(forward=forward, loss=loss)
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "total +=" in text)
    assert findings(source, "GRD502") == [(line, "GRD502")]


@pytest.mark.parametrize(
    "heads,forward,loss,accumulated",
    [
        # the losses accumulated as numbers
        (MODULE_DICT, "return {name: head(x) for name, head in self.heads.items()}", LOSS, "loss.item()"),
        # heads without parameters: nothing to keep a graph of
        ('nn.ModuleDict({"cls": nn.ReLU(), "box": nn.Tanh()})', 'return self.heads["cls"](x)', ONE_TENSOR, "loss"),
        # every value of the returned dict cut from the graph
        (MODULE_DICT, "return {name: head(x).detach() for name, head in self.heads.items()}", LOSS, "loss"),
    ],
    ids=["item", "parameter-free-heads", "detached-values"],
)
def test_nothing_kept(heads, forward, loss, accumulated):
    assert findings(_program(heads=heads, forward=forward, loss=loss, accumulated=accumulated), "GRD502") == []


def test_a_comprehension_dict_under_no_grad_keeps_nothing():
    source = _program(
        forward="return {name: head(x) for name, head in self.heads.items()}",
        loss='with torch.no_grad():\n            loss = ((model(x)["cls"] - y) ** 2).mean()',
    )
    assert findings(source, "GRD502") == []
