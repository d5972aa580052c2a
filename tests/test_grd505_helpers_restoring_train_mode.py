"""GRD505: a method of another file that switches its model to eval() for one forward and back to
train() (DDPG's ``agent.calc_action(state)``: ``actor.eval()``, ``mu = actor(state)``, ``actor.train()``,
``mu.data``) is an action selection whose graph is dropped at once; called from the file's own class it
was already exempt (a loop that switches the model back to train()), called across files it was
reported in the test episodes of the training script, because the forward replayed at the call has no
path to match the switch with (corpus29 schneimo/ddpg-pytorch train.py:186). A method that leaves the
model in eval mode is still reported."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

AGENT = """\
import torch
import torch.nn as nn


class Agent:
    def __init__(self):
        self.actor = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 1), nn.Tanh())
        self.optimizer = torch.optim.Adam(self.actor.parameters(), lr=1e-3)

    def calc_action(self, state, noise=None):
        self.actor.eval()
        mu = self.actor(state)
        self.actor.train()
        mu = mu.data
        if noise is not None:
            mu += noise
        return mu.clamp(-1.0, 1.0)

    def update(self, states):
        self.optimizer.zero_grad()
        loss = self.actor(states).pow(2).mean()
        loss.backward()
        self.optimizer.step()
"""

MAIN = """\
import torch
from agent import Agent

agent = Agent()
for epoch in range(3):
    for step in range(5):
        action = agent.calc_action(torch.randn(1, 3), noise=0.1 * torch.randn(1))
        agent.update(torch.randn(8, 3))
    test_rewards = []
    for _ in range(2):
        total = 0.0
        for step in range(5):
            action = agent.calc_action(torch.randn(1, 3))
            total += float(action)
        test_rewards.append(total)
    print(sum(test_rewards))
"""


def _lint(root, files, target):
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_method_of_another_file_restoring_train_mode(tmp_path):
    assert _lint(tmp_path, {"agent.py": AGENT, "main.py": MAIN}, "main.py") == []


def test_method_of_another_file_leaving_eval_mode(tmp_path):
    agent = AGENT.replace("        self.actor.train()\n", "")
    assert _lint(tmp_path, {"agent.py": agent, "main.py": MAIN}, "main.py") == [(13, "GRD505")]
