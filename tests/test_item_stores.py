"""GRD502 on ``losses[step] = loss``: a list (or dict) that gets a new item in each iteration.

An index bound by the loop stores each iteration's loss at a new place, as ``append`` does
(``losses = [None] * n_iterations`` filled by a trainer's loop, read back for logging); a fixed
index replaces the one item it holds.
"""

import pytest

from snippets import findings

LOOP = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
n_iterations = 100
MADE
for it in range(n_iterations):
    loss = model(torch.randn(8, 4)).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    STORE
print(losses)
"""


def loop(made, store):
    return LOOP.replace("MADE", made).replace("STORE", store)


@pytest.mark.parametrize(
    "made,store",
    [
        ("losses = [None] * n_iterations", "losses[it] = loss"),
        ("losses = [0.0 for _ in range(n_iterations)]", "losses[it] = loss"),
        ("losses = {}", "losses[it] = loss"),
        ("losses = {}", "losses[f'iter{it}'] = loss"),
    ],
)
def test_a_new_item_in_each_iteration_keeps_every_graph(made, store):
    assert findings(loop(made, store), "GRD502") == [(13, "GRD502")]


@pytest.mark.parametrize(
    "made,store",
    [
        ("losses = [None] * n_iterations", "losses[it] = loss.item()"),
        ("losses = [None] * n_iterations", "losses[it] = loss.detach()"),
        # one place, replaced each time
        ("losses = [None]", "losses[0] = loss"),
        ("losses = {}", "losses['last'] = loss"),
        # a tensor buffer is another pitfall's business (a copy into it)
        ("losses = torch.zeros(n_iterations)", "losses[it] = loss.item()"),
    ],
)
def test_numbers_or_a_fixed_place_keep_no_history(made, store):
    assert findings(loop(made, store), "GRD502") == []


def test_the_message_shows_the_store():
    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    (finding,) = lint_text(loop("losses = [None] * n_iterations", "losses[it] = loss"), "snippet.py", [BY_CODE["GRD502"]])
    assert finding.message.startswith("`losses[it] = loss` keeps `loss`")
