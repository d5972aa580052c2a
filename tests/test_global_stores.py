"""Module-level containers filled by one function of the file and read by another.

REINFORCE scripts keep each step's ``log_prob`` in a global list (or in a field of a module-level
policy) filled by ``select_action()`` and turned into the loss by ``finish_episode()``. Inside
``finish_episode()`` the global was the empty list the module made: ``torch.tensor(saved_log_probs)``
(which cuts the graph: ``loss.backward()`` then raises) went unreported.
"""

import pytest

from snippets import findings

SCRIPT = """\
import torch
import torch.nn as nn
from torch.distributions import Categorical


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        return torch.softmax(self.fc(x), dim=-1)


policy = Policy()
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
LISTS


def select_action(state):
    m = Categorical(policy(state))
    action = m.sample()
    LOG_PROBS.append(STORED)
    return action.item()


def finish_episode():
    returns = torch.tensor(policy.rewards)
    loss = -(COMBINE(LOG_PROBS) * returns).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del LOG_PROBS[:]


def main(env):
    for episode in range(100):
        state = env.reset()
        for t in range(1000):
            state, reward, done, _ = env.step(select_action(state))
            policy.rewards.append(reward)
            if done:
                break
        finish_episode()
"""


def script(log_probs="policy.saved_log_probs", stored="m.log_prob(action)", combine="torch.tensor"):
    lists = "saved_log_probs = []" if log_probs == "saved_log_probs" else ""
    return (
        SCRIPT.replace("LISTS", lists).replace("LOG_PROBS", log_probs).replace("STORED", stored).replace("COMBINE", combine)
    )


@pytest.mark.parametrize("log_probs", ["policy.saved_log_probs", "saved_log_probs"])
def test_a_global_list_of_log_probs_copied_by_torch_tensor(log_probs):
    assert findings(script(log_probs), "GRD101") == [(31, "GRD101")]


@pytest.mark.parametrize("log_probs", ["policy.saved_log_probs", "saved_log_probs"])
@pytest.mark.parametrize("combine", ["torch.stack", "torch.cat"])
def test_stacked_log_probs_are_fine(log_probs, combine):
    assert findings(script(log_probs, combine=combine)) == []


@pytest.mark.parametrize("log_probs", ["policy.saved_log_probs", "saved_log_probs"])
@pytest.mark.parametrize("stored", ["m.log_prob(action).item()", "m.log_prob(action).detach()"])
def test_log_probs_stored_without_graph_make_a_loss_that_cannot_backpropagate(log_probs, stored):
    # no graph in the list, so none for torch.tensor to cut: the backward() raises (GRD103)
    assert findings(script(log_probs, stored)) == [(33, "GRD103")]


def test_a_function_rebinding_the_global_is_not_filling_it():
    source = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
losses = []


def step(x):
    losses = []
    losses.append(model(x).sum())
    return losses


def report():
    return torch.tensor(losses)
"""
    assert findings(source, "GRD101") == []


def test_a_list_filled_under_no_grad_holds_no_graph():
    source = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
scores = []


@torch.no_grad()
def score(x):
    scores.append(model(x).sum())


def report():
    return torch.tensor(scores)
"""
    assert findings(source, "GRD101") == []


def test_statements_of_every_shape_are_visited_once():
    # one-line suites, elif chains, else/finally blocks and handlers (a one-line `if` once looped forever)
    import libcst as cst

    from gradlint.analysis.global_stores import defined_functions, module_level_names

    module = cst.parse_module(
        """\
import torch
if torch.cuda.is_available(): device = "cuda"
elif False: device = "mps"
else:
    device = "cpu"
try:
    a = 1
except ImportError:
    b = 2
else:
    c = 3
finally:
    d = 4
for i in range(3): e = i
while False:
    f = 0
else:
    g = 0
with open(__file__) as fh: h = fh
class K:
    k = 1
    def method(self): return 1
def top():
    inner = 1
    def nested(): pass
"""
    )
    assert module_level_names(module) == {"device", "a", "b", "c", "d", "e", "f", "g", "h"}
    assert sorted(f.name.value for f in defined_functions(module)) == ["method", "nested", "top"]
