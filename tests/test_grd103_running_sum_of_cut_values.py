"""A running sum started at a plain number and fed only values cut out of the graph (``adv = 0.``,
then ``adv += delta.detach() * 0.95`` in a loop: generalised advantage estimation over detached
TD errors) is cut too: neither the number (nothing added yet) nor the tensor path carries a graph, as
``total = 0.0`` then ``total += loss`` is a graph result once anything was added. A loss made only
from such sums raises "element 0 of tensors does not require grad" at backward (checked with torch
2.13). Before, the join of the number with the cut tensor at the loop's head lost the cut.

Silent: a sum of graph values (the loss trains), a sum of fresh data that was never cut (nothing
claims a cut there), a sum of values scaled by an unknown factor (which may be a tensor that requires
grad), and a loss that adds the model's output to the sum.
"""

from snippets import case_maker, rule_tests

CODE = "GRD103"
case = case_maker(CODE)

CRITIC = """\
import torch
import torch.nn as nn

critic = nn.Linear(4, 1)
optimizer = torch.optim.Adam(critic.parameters())
"""

POSITIVES = [
    case(
        "advantages-summed-from-detached-td-errors",
        CRITIC
        + """\
for epoch in range(3):
    states, rewards = torch.randn(9, 4), torch.randn(9)
    values = critic(states).squeeze(-1)
    deltas = [(rewards[t] + 0.99 * values[t + 1] - values[t]).detach() for t in range(8)]
    advantages = []
    for start in range(8):
        adv = 0.
        for t in range(start, 8):
            adv += deltas[t] * 0.95 ** (t - start)
        advantages.append(adv)
    loss = torch.stack(advantages).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()  # expect: GRD103
    optimizer.step()
""",
        [18],
    ),
]


NEGATIVES = [
    case(
        "sum-of-graph-losses",
        CRITIC
        + """\
for epoch in range(3):
    total = 0.
    for t in range(4):
        total += critic(torch.randn(2, 4)).pow(2).mean()
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
""",
    ),
    case(
        "sum-of-fresh-data",
        """\
        import torch


        def step(optimizer, n):
            noise = 0.
            for t in range(n):
                noise += torch.randn(3)
            noise.sum().backward()
            optimizer.step()
        """,
    ),
    case(
        "scaled-by-an-unknown-factor",
        CRITIC
        + """\
def update(decay):
    values = critic(torch.randn(9, 4)).squeeze(-1)
    adv = 0.
    for t in range(8):
        adv += values[t].detach() * decay
    optimizer.zero_grad()
    adv.backward()
    optimizer.step()
""",
    ),
    case(
        "loss-keeps-the-critic-output",
        CRITIC
        + """\
for epoch in range(3):
    values = critic(torch.randn(9, 4)).squeeze(-1)
    adv = 0.
    for t in range(8):
        adv += values[t].detach() * 0.9
    loss = (adv - values[0]) ** 2
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
