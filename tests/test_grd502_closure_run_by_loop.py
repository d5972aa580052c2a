"""GRD502 in a function defined in another one and run by that one's loop in each iteration,
wherever it is defined: an L-BFGS ``closure`` written before ``for it in range(n):
optimizer.step(closure)``, or a nested ``one_step()`` the loop calls. What it appends to a list or
a field of the enclosing scope (``losses.append(loss)``, ``self.losses.append(loss)``) outlives each
run, so every iteration's graph stays alive, as ``losses.append(loss)`` in the loop's own body
would keep it. ``.item()`` values, a list the loop makes afresh, a closure run once, or one that
never backpropagates stay silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)


def lbfgs_fit(record, before_loop="", in_loop=""):
    return (
        """\
import torch
import torch.nn as nn


def fit(model, x, y, iterations):
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5)
    history = []
"""
        + before_loop
        + """\

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
"""
        + record
        + """\
        return loss

    for it in range(iterations):
"""
        + in_loop
        + """\
        optimizer.step(closure)
    return history
"""
    )


SOLVER = """\
import torch
import torch.nn as nn


class Solver:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.losses = []

    def train(self, batches, epochs):
        def one_step(x, y):
            self.optimizer.zero_grad()
            loss = nn.functional.cross_entropy(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            {record}

        for epoch in range(epochs):
            for x, y in batches:
                one_step(x, y)
        return self.losses
"""

POSITIVES = [
    case("lbfgs-closure-before-the-loop", lbfgs_fit("        history.append(loss)  # expect: GRD502\n"), [13]),
    case(
        "nested-step-appends-to-a-field",
        SOLVER.format(record="self.losses.append(loss)  # expect: GRD502"),
        [17],
    ),
    case(
        "lbfgs-closure-adds-to-a-nonlocal-total",
        lbfgs_fit("        nonlocal total\n        total += loss  # expect: GRD502\n", before_loop="    total = 0.0\n"),
        [15],
    ),
]

NEGATIVES = [
    case("item-values", lbfgs_fit("        history.append(loss.item())\n")),
    case("detached-in-a-field", SOLVER.format(record="self.losses.append(loss.detach())")),
    case(
        "list-made-afresh-each-iteration",
        lbfgs_fit("        history.append(loss)\n", in_loop="        history = []\n"),
    ),
    case(
        "closure-run-once",
        """\
import torch
import torch.nn as nn


def fit(model, x, y):
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5)
    history = []

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        history.append(loss)
        return loss

    optimizer.step(closure)
    return history
""",
    ),
    case(
        "collector-that-never-backpropagates",
        """\
import torch
import torch.nn as nn


def collect(model, batches):
    outputs = []

    def forward_one(x):
        outputs.append(model(x))

    for x in batches:
        forward_one(x)
    loss = torch.stack(outputs).sum()
    loss.backward()
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
