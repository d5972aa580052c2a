"""GRD504: a state made in an arm that only the loop's first iteration runs (``if it == 0:``).

An iterative refinement loop starts its state in its first iteration and feeds each step's output
back into the next (``y_hat, latent = net(torch.cat([x, y_hat], 1), latent)``). From the second
iteration on the ``if it == 0:`` arm does not run, so the state entering the step is the previous
iteration's output, whose graph that iteration's backward() freed: the backward raises "Trying to
backward through the graph a second time" (checked with torch 2.13). The arm rebinding the state
must not hide that: the test on the loop's own counter holds only in the first iteration. A state
detached at the end of each iteration, or a counter the body rebinds (the arm may then run again),
stay as they were.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

REFINE = """\
import torch
import torch.nn as nn


class Refiner(nn.Module):
    def __init__(self, dim=8, code=4):
        super().__init__()
        self.encode = nn.Linear(2 * dim, code)
        self.decode = nn.Linear(code, dim)

    def forward(self, x, code):
        code = self.encode(x) + code
        return self.decode(code), code


def refine(x, y, steps):
    net = Refiner()
    optimizer = torch.optim.Adam(net.encode.parameters(), lr=1e-3)
    out, code = None, None
    for it in range(steps):
        if it == 0:
            code = torch.zeros(x.shape[0], 4)
            out = net.decode(code)
        inputs = torch.cat([x, out], dim=1)
        out, code = net(inputs, code)
        optimizer.zero_grad()
        loss = (out - y).pow(2).mean()
        loss.backward()
        optimizer.step()
    return out
"""


def findings(src, code="GRD504"):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE[code]])]


def test_state_started_in_the_first_iteration_is_carried_freed():
    [(line, message)] = findings(REFINE)
    assert line == 28
    assert "previous iteration's graph" in message


def test_enumerate_index_and_else_arm():
    src = REFINE.replace("for it in range(steps):", "for it, _ in enumerate(range(steps)):").replace(
        "            out = net.decode(code)\n",
        "            out = net.decode(code)\n        else:\n            out = out * 1.0\n",
    )
    [(line, _)] = findings(src)
    assert line == 30


def test_state_detached_at_the_end_of_each_iteration():
    src = REFINE.replace("        optimizer.step()\n", "        optimizer.step()\n        out, code = out.detach(), code.detach()\n")
    assert findings(src) == []


def test_counter_rebound_before_the_test():
    # (the arm then runs in every iteration: each one starts the state afresh, nothing is freed twice)
    src = REFINE.replace("        if it == 0:", "        it = 0\n        if it == 0:")
    assert findings(src) == []
