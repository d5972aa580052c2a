"""A function called through a module-level alias or a table of functions gets its caller's context.

Reporting walks follow the call graph so that a caller's walk records a callee's context first.
That order is read from the syntax (``train(...)`` calls ``train``), so a call through a name
bound to the function elsewhere (``ALGS = {"reinforce": reinforce}``, then ``ALGS[name](policy,
opt)`` in ``main()``; ``run = evaluate`` at module level) reached the callee after its walk, and
the callee was only walked with unknown parameters. Such a function is now walked again in the
contexts that arrived late.

Our own snippets, each a complete program.
"""

from snippets import findings

DISPATCH = """\
import sys
import numpy as np
import torch
import torch.nn as nn


def reinforce(policy, optimizer, episodes):
    for ep in range(episodes):
        probs = torch.softmax(policy(torch.randn(4)), -1)
        action = np.random.choice(2, p=PROBS.numpy())
        loss = -torch.log(probs[action])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


ALGS = {"reinforce": reinforce}
RUN = reinforce


def main():
    policy = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = torch.optim.Adam(policy.parameters())
    CALL(policy, optimizer, 10)


main()
"""


def _program(call, probs="probs"):
    return DISPATCH.replace("CALL", call).replace("PROBS", probs)


def test_function_called_through_a_table_of_functions():
    assert findings(_program("ALGS[sys.argv[1]]"), "GRD503") == [(10, "GRD503")]


def test_function_called_through_a_module_level_alias():
    assert findings(_program("RUN"), "GRD503") == [(10, "GRD503")]


def test_detached_before_numpy_is_silent():
    assert findings(_program("ALGS[sys.argv[1]]", probs="probs.detach()"), "GRD503") == []


def test_table_called_with_a_policy_of_unknown_kind_is_silent():
    src = _program("ALGS[sys.argv[1]]").replace(
        "policy = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))", "policy = load_policy()"
    ).replace("optimizer = torch.optim.Adam(policy.parameters())", "optimizer = make_optimizer()")
    assert findings(src, "GRD503") == []
