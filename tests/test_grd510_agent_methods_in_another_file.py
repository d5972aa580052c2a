"""GRD510: an agent class in one file whose methods switch its networks to eval(), called by a
training loop in another file (analysis/replay.py ``foreign_forwards``, rules/grd510).

``agent.act(obs)`` runs ``self.actor.eval()`` (and its forward under no_grad) each environment
step, ``agent.update(batch)`` trains the actor and the critic and leaves ``self.critic.eval()``
behind; nothing calls ``train()``. Both networks have batch-norm, so both train in eval mode (the
actor from the first update, the critic from the second). A call into another file is replayed
at the call with its forwards placed there without a model path, so the switch found no training
forward of the same model and went unreported; the finding is at the call in the loop (the
``eval()`` is in another file).
"""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

AGENT = """\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, 32)
        self.norm = nn.BatchNorm1d(32)
        self.out = nn.Linear(32, n_out)

    def forward(self, x):
        return self.out(torch.relu(self.norm(self.hidden(x))))


class Agent:
    def __init__(self, n_obs, n_act):
        self.actor = MLP(n_obs, n_act)
        self.critic = MLP(n_obs + n_act, 1)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=1e-4)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=1e-3)

    def act(self, obs):
        self.actor.eval()
        with torch.no_grad():
            return self.actor(torch.as_tensor(obs, dtype=torch.float32)).numpy()

    def update(self, obs, act, target):
        self.critic_opt.zero_grad()
        q = self.critic(torch.cat([obs, act], 1))
        loss = ((q - target) ** 2).mean()
        loss.backward()
        self.critic_opt.step()
        self.critic.eval()
        self.actor_opt.zero_grad()
        actor_loss = -self.critic(torch.cat([obs, self.actor(obs)], 1)).mean()
        actor_loss.backward()
        self.actor_opt.step()
"""

TRAIN = """\
from agent import Agent


def run(env, buffer, steps, warmup):
    agent = Agent(4, 2)
    obs = env.reset()
    for step in range(steps):
        action = agent.act(obs)
        obs = env.step(action)
        if step >= warmup:
            agent.update(*buffer.sample(64))
"""


def _lint(root, files, name):
    for file, text in files.items():
        (root / file).write_text(textwrap.dedent(text))
    forget_projects()
    path = root / name
    rules = [rule for rule in ALL_RULES if rule.code == "GRD510"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_switches_made_by_the_agent_are_reported_at_the_calls_in_the_loop(tmp_path):
    assert _lint(tmp_path, {"agent.py": AGENT, "train.py": TRAIN}, "train.py") == [(8, "GRD510"), (11, "GRD510")]


def test_agent_that_switches_back_before_training_is_silent(tmp_path):
    restored = AGENT.replace(
        "        self.critic_opt.zero_grad()\n",
        "        self.actor.train()\n        self.critic.train()\n        self.critic_opt.zero_grad()\n",
    )
    assert _lint(tmp_path, {"agent.py": restored, "train.py": TRAIN}, "train.py") == []


def test_networks_without_mode_dependent_layers_are_silent(tmp_path):
    plain = AGENT.replace("        self.norm = nn.BatchNorm1d(32)\n", "").replace("self.norm(self.hidden(x))", "self.hidden(x)")
    assert _lint(tmp_path, {"agent.py": plain, "train.py": TRAIN}, "train.py") == []
