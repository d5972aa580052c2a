"""GRD103 on held-out code (corpus27, an image-captioning project's train.py): `step(encoder,
decoder, criterion, data, optimizer=None)` trains when given an optimizer and is called again
under `torch.no_grad()` without one for the test loss; its update is guarded by
`if not optimizer == None:`. The walk of the no_grad call read `optimizer == None` as unknown (only
`is None` / `is not None` were resolved) and reported the backward() of the arm that never runs
there. `x == None` / `x != None` of a name bound to None (or to a module) is the same test."""

from snippets import case_maker, rule_tests

case = case_maker("GRD103")

_STEP = """
import torch
import torch.nn as nn


def step(model, criterion, data, optimizer=None):
    total = 0.0
    for x, y in data:
        loss = criterion(model(x), y)
        total += loss.item()
        if {test}:
            optimizer.zero_grad()
            loss.backward(){mark}
            optimizer.step()
    return total


model = nn.Linear(4, 2)
criterion = nn.CrossEntropyLoss()
data = [(torch.randn(2, 4), torch.tensor([0, 1]))]
for epoch in range(3):
    optimizer = torch.optim.Adam(model.parameters())
    train_loss = step(model, criterion, data, optimizer=optimizer)
    with torch.no_grad():
        test_loss = step(model, criterion, data{second})
"""

POSITIVES = [
    case(
        "update_run_under_no_grad_with_an_optimizer",
        _STEP.format(test="not optimizer == None", mark="  # expect: GRD103", second=", optimizer"),
        lines=(13,),
    ),
]

NEGATIVES = [
    case("negated_equality_with_none", _STEP.format(test="not optimizer == None", mark="", second="")),
    case("inequality_with_none", _STEP.format(test="optimizer != None", mark="", second="")),
    case("identity_with_none", _STEP.format(test="optimizer is not None", mark="", second="")),
]

test_fires, test_silent = rule_tests("GRD103", POSITIVES, NEGATIVES)
