"""Fields of a field: a rollout memory object that one method of an agent fills and another reads.

``self.memory = Memory()`` in ``__init__``; ``act()`` stores each step's value and log-probability in
it, straight (``self.memory.log_probs.append(lp)``) or through a method of the memory
(``self.memory.store(value, lp)``); ``update()`` copies them with ``torch.tensor(...)`` and the actor-critic
loss is cut from the model (GRD101). The memory's lists were seen as ``__init__`` of ``Memory`` made
them (or as its own methods fill them from unknown arguments): nothing was known to need grad
(corpus31 jjakimoto/PPO-Pytorch: ``torch.tensor(torch.stack(experiences.log_prob))``, the memory class
in a torch-free ``memories.py``, its ``sample()`` a named tuple of slices).
"""

import pytest

from snippets import findings

MEMORY = """\
from collections import namedtuple

Experience = namedtuple("Experience", ("value", "log_prob"))


class Memory(object):
    def __init__(self, n):
        self.n = n
        self.reset()

    def store(self, value, log_prob):
        self.values.append(value)
        self.log_probs.append(log_prob)

    def sample(self):
        return Experience(value=self.values[-self.n:], log_prob=self.log_probs[-self.n:])

    def reset(self):
        self.values = list()
        self.log_probs = list()
"""

AGENT = """\
import torch
import torch.nn as nn
from torch.distributions import Categorical


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.actor = nn.Linear(4, 2)
        self.critic = nn.Linear(4, 1)

    def forward(self, x):
        return Categorical(logits=self.actor(x)), self.critic(x)


class Agent:
    def __init__(self, n):
        self.model = ActorCritic()
        self.memory = Memory(n)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def act(self, obs, training=True):
        state = torch.tensor(obs, dtype=torch.float)
        dist, value = self.model(state)
        action = dist.sample()
        if training:
            STORE
        return action.item()

    def update(self, returns):
        READ
        advantage = returns - values
        loss = -(log_probs * advantage).mean() + advantage.pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.memory.reset()
"""

THROUGH_METHOD = "self.memory.store(value, dist.log_prob(action))"
STRAIGHT = "self.memory.values.append(value); self.memory.log_probs.append(dist.log_prob(action))"
COPIED = (
    "values = torch.tensor(self.memory.values)  # expect: GRD101\n"
    "        log_probs = torch.tensor(self.memory.log_probs)  # expect: GRD101"
)
SAMPLED = (
    "experiences = self.memory.sample()\n"
    "        values = torch.tensor(torch.stack(experiences.value))  # expect: GRD101\n"
    "        log_probs = torch.tensor(torch.stack(experiences.log_prob))  # expect: GRD101"
)
STACKED = "values = torch.stack(self.memory.values)\n        log_probs = torch.stack(self.memory.log_probs)"


def _one_file(store: str, read: str) -> str:
    agent = AGENT.replace("STORE", store).replace("READ", read)
    return "import torch\n" + MEMORY + "\n\n" + agent


def _expected(source: str):
    return [(i, "GRD101") for i, line in enumerate(source.splitlines(), 1) if "# expect: GRD101" in line]


@pytest.mark.parametrize("store", [THROUGH_METHOD, STRAIGHT], ids=["through-its-method", "straight"])
@pytest.mark.parametrize("read", [COPIED, SAMPLED], ids=["copied", "sampled"])
def test_what_one_method_stores_in_the_memory_another_copies(store, read):
    source = _one_file(store, read)
    assert findings(source, "GRD101") == _expected(source)


@pytest.mark.parametrize(
    "store",
    [
        # detached before it is kept: the copies cut nothing
        "self.memory.store(value.detach(), dist.log_prob(action).detach())",
        "self.memory.values.append(value.item()); self.memory.log_probs.append(dist.log_prob(action).item())",
    ],
    ids=["detached", "numbers"],
)
@pytest.mark.parametrize("read", [COPIED, SAMPLED], ids=["copied", "sampled"])
def test_what_the_memory_keeps_holds_no_graph(store, read):
    source = _one_file(store, read)
    assert findings(source, "GRD101") == []


def test_the_stored_graphs_stacked_are_kept():
    assert findings(_one_file(THROUGH_METHOD, STACKED), "GRD101") == []


def test_computed_under_no_grad_holds_no_graph():
    source = _one_file(THROUGH_METHOD, COPIED).replace(
        "        dist, value = self.model(state)", "        with torch.no_grad():\n            dist, value = self.model(state)"
    )
    assert "with torch.no_grad():" in source
    assert findings(source, "GRD101") == []


def test_a_value_computed_with_grad_stored_under_no_grad_keeps_its_graph():
    # only the log-probability is computed under no_grad: the value kept holds the critic's graph
    source = _one_file(THROUGH_METHOD, COPIED).replace(
        "        if training:\n            self.memory", "        with torch.no_grad():\n            self.memory"
    )
    assert findings(source, "GRD101") == [_expected(source)[0]]


def test_the_memory_class_in_a_torch_free_module_of_the_project(tmp_path):
    from gradlint.analysis.project import forget_projects
    from gradlint.engine import lint_bytes
    from gradlint.rules import BY_CODE

    package = tmp_path / "rl"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "memories.py").write_text(MEMORY)
    agent = "from .memories import Memory\n" + AGENT.replace("STORE", THROUGH_METHOD).replace("READ", SAMPLED)
    (package / "agent.py").write_text(agent)
    forget_projects()
    found = [(f.line, f.code) for f in lint_bytes(agent.encode(), str(package / "agent.py"), [BY_CODE["GRD101"]])]
    assert found == _expected(agent)
