"""GRD504 and a container of graphs built one per iteration of an earlier loop, backpropagated one per
iteration of a later loop over the container: each backward frees its own element's graph, and the
next element's graph is intact (torch 2.13 runs these programs). The walk sees the elements as one
value depending on ``logits``, the last graph the filling loop built, and took them for one graph
backpropagated again and again. A graph built before the loop and backpropagated in it is still
reported.
"""

from snippets import findings

PER_ELEMENT = """\
import torch
import torch.nn as nn


def update(policy, states):
    log_probs = []
    for state in states:
        logits = policy(state)
        dist = torch.distributions.Categorical(logits=logits)
        log_probs.append(dist.log_prob(dist.sample()))
    for lp in log_probs:
        loss = -lp.sum()
        loss.backward()


policy = nn.Linear(4, 2)
update(policy, [torch.randn(1, 4) for _ in range(5)])
"""

BUILT_BEFORE = """\
import torch
import torch.nn as nn

policy = nn.Linear(4, 2)
logits = policy(torch.randn(1, 4))
for step in range(3):
    loss = -torch.log_softmax(logits, -1)[0, 0]
    loss.backward()
"""


def test_one_graph_per_element_backpropagated_one_by_one_is_silent():
    assert findings(PER_ELEMENT, "GRD504") == []


def test_the_same_at_module_level_is_silent():
    module_level = "\n".join(
        line[4:] if line.startswith("    ") else line
        for line in PER_ELEMENT.split("def update(policy, states):\n")[1].split("\n\n\npolicy")[0].splitlines()
    )
    program = "import torch\nimport torch.nn as nn\n\npolicy = nn.Linear(4, 2)\nstates = [torch.randn(1, 4)]\n" + module_level + "\n"
    assert findings(program, "GRD504") == []


def test_a_graph_built_before_the_loop_is_still_reported():
    assert findings(BUILT_BEFORE, "GRD504") == [(8, "GRD504")]
