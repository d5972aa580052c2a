"""A class defined in a caller file (the entry script ``main.py`` defines the policy network and hands
an instance to ``Agents/agent.py``): the linted file walks its methods in the caller's names, as it
does for a class of an imported module (``imports.home_caller_classes``). Here the policy's forward
returns ``distributions.Categorical(probs)`` with ``distributions`` imported only by ``main.py``: in the
agent's names it was unknown, so the call was a generic grad tensor and ``action = dist.sample()``
kept a graph; GRD503 claimed ``action.numpy()`` raises (corpus33 mfigura RL-in-OpenAIGym
Agents/AC.py:95, a false alarm: torch 2.13 runs it). ``dist.log_prob(action).numpy()`` still raises
and is still reported.
"""

import pytest

from snippets import lint_path, write_project

MAIN = """\
import torch
import torch.nn as nn
from torch import distributions
from Agents.agent import Agent


class Policy(nn.Module):
    def __init__(self, n_obs, n_actions):
        super().__init__()
        self.hidden = nn.Linear(n_obs, 24)
        self.out = nn.Linear(24, n_actions)
        self.softmax = nn.Softmax(-1)

    def forward(self, state):
        return distributions.Categorical(self.softmax(self.out(torch.relu(self.hidden(state)))))


if __name__ == "__main__":
    agent = Agent(Policy(4, 2))
    print(agent.act([0.1, 0.2, 0.3, 0.4]))
"""

AGENT = """\
import torch


class Agent:
    def __init__(self, policy):
        self.policy = policy

    def act(self, state):
        state = torch.tensor(state, dtype=torch.float32)
        dist = self.policy(state)
        action = dist.sample()
        USE
"""


@pytest.mark.parametrize(
    "use, lines",
    [
        pytest.param("return action.numpy()", [], id="sampled-action-silent"),
        pytest.param("return dist.log_prob(action).numpy()", [(12, "GRD503")], id="log-prob-reported"),
    ],
)
def test_policy_class_of_the_caller(tmp_path, use, lines):
    (tmp_path / "Agents").mkdir()
    write_project(tmp_path, {"main.py": MAIN, "Agents/__init__.py": "", "Agents/agent.py": AGENT.replace("USE", use)})
    assert lint_path(tmp_path / "Agents" / "agent.py", select={"GRD503"}) == lines
