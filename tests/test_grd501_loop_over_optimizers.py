"""GRD501 for optimizers stepped by a loop over a list of them (``for opt in self.optimizers:
opt.step()``, torchforge #71: no clear anywhere): the loop variable is one of the same optimizers
in each iteration, not a fresh one, so the gradients accumulate. Clearing each of them, or the
model, in the loop is fine.
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)

HEAD = """\
import torch
import torch.nn as nn

body = nn.Linear(6, 8)
head = nn.Linear(8, 1)
optimizers = [torch.optim.SGD(body.parameters(), lr=0.1), torch.optim.SGD(head.parameters(), lr=0.1)]
for x in [torch.randn(4, 6)] * 3:
"""

POSITIVES = [
    case(
        "each-optimizer-stepped-none-cleared",
        HEAD
        + """\
    loss = head(body(x)).pow(2).mean()
    loss.backward()
    for optimizer in optimizers:
        optimizer.step()  # expect: GRD501
""",
        [11],
    ),
]


NEGATIVES = [
    case(
        "each-optimizer-cleared-then-stepped",
        HEAD
        + """\
    for optimizer in optimizers:
        optimizer.zero_grad()
    loss = head(body(x)).pow(2).mean()
    loss.backward()
    for optimizer in optimizers:
        optimizer.step()
""",
    ),
    case(
        "modules-cleared",
        HEAD
        + """\
    body.zero_grad()
    head.zero_grad()
    loss = head(body(x)).pow(2).mean()
    loss.backward()
    for optimizer in optimizers:
        optimizer.step()
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
