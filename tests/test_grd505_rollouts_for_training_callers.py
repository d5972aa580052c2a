"""GRD505: an RL rollout helper (``run(agent, env)`` in utils.py, stepping the environment and
returning the episode's log-probabilities and values) is called by the training script, which
backpropagates what it returns, and by a render script after ``agent.eval()``. Walked in the render
script's context, the helper's loop was reported as an evaluation loop (corpus29
qihongl/demo-advantage-actor-critic src/utils.py:18): but it is the training's rollout, and
``torch.no_grad()`` around it would stop training. A helper no caller trains on is still reported, and
so is an evaluation helper that switches the model to eval() itself."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

PACKAGE = """\
from ._agent import *
"""

AGENT = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class ActorCritic(nn.Module):
    def __init__(self, dim_input, dim_hidden, dim_output):
        super(ActorCritic, self).__init__()
        self.i2h = nn.Linear(dim_input, dim_hidden)
        self.actor = nn.Linear(dim_hidden, dim_output)
        self.critic = nn.Linear(dim_hidden, 1)

    def forward(self, x):
        h = F.relu(self.i2h(x))
        probs = F.softmax(self.actor(h).squeeze(0), dim=0)
        action = torch.multinomial(probs, 1)
        return [action, torch.log(probs[action]), self.critic(h)]
"""

UTILS = """\
import torch


def run(agent, env, max_steps=100):
    state = env.reset()
    log_probs, values, rewards = [], [], []
    step = 0
    while step < max_steps:
        [action, log_prob, value] = agent.forward(torch.tensor(state).float().view(1, -1))
        state, reward, done, info = env.step(action.item())
        log_probs.append(log_prob)
        values.append(value)
        rewards.append(reward)
        step += 1
        if done:
            break
    return log_probs, values, rewards
"""

TRAIN = """\
import gym
import torch
from models import ActorCritic as Agent
from utils import run


def main(env_name):
    env = gym.make(env_name)
    agent = Agent(4, 32, 2)
    optimizer = torch.optim.Adam(agent.parameters(), lr=1e-3)
    for episode in range(100):
        log_probs, values, rewards = run(agent, env)
        returns = torch.tensor(rewards).cumsum(0).flip(0)
        advantages = returns - torch.cat(values).view(-1).detach()
        loss = -(torch.cat(log_probs).view(-1) * advantages).sum() + (torch.cat(values).view(-1) - returns).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    torch.save(agent.state_dict(), "agent.pth")


if __name__ == "__main__":
    main("CartPole-v0")
"""

RENDER = """\
import gym
import torch
from models import ActorCritic as Agent
from utils import run


def main(env_name):
    env = gym.make(env_name)
    agent = Agent(4, 32, 2)
    agent.load_state_dict(torch.load("agent.pth"))
    agent.eval()
    log_probs, values, rewards = run(agent, env)
    print(sum(rewards))


if __name__ == "__main__":
    main("CartPole-v0")
"""



def _files(**changed):
    files = {"models/__init__.py": PACKAGE, "models/_agent.py": AGENT, "utils.py": UTILS, "train.py": TRAIN, "render.py": RENDER}
    files.update({name.replace("_py", ".py"): text for name, text in changed.items()})
    return files


def _lint(root, files, target):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_rollout_a_training_caller_backpropagates(tmp_path):
    assert _lint(tmp_path, _files(), "utils.py") == []


def test_rollout_no_caller_trains_on(tmp_path):
    train = TRAIN.replace("        loss.backward()\n", "        print(loss.item())\n")
    assert _lint(tmp_path, _files(train_py=train), "utils.py") == [(9, "GRD505")]


def test_evaluation_helper_switching_the_model_itself(tmp_path):
    utils = UTILS.replace("    state = env.reset()\n", "    agent.eval()\n    state = env.reset()\n")
    render = RENDER.replace("    agent.eval()\n", "")
    assert _lint(tmp_path, _files(utils_py=utils, render_py=render), "utils.py") == [(10, "GRD505")]
