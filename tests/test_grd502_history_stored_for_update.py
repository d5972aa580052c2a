"""GRD502: the log-probabilities a rollout loop collects (no backward() in it) and hands to a method
that stores them in a field of its object (``agent.remember(log_probs, rewards)`` appending to
``self.memory``) are kept for the update another method makes from that field
(``agent.learn()`` backpropagating a loss over the memory): the graphs are held on purpose, as when
the list is handed straight to the update (handed_histories). pytorch/examples #151's REINFORCE with
an experience memory (corpus_threads16 p36) was reported as an evaluation loop keeping graphs."""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_AGENT = """\
import random

import torch
import torch.nn as nn
from torch.distributions import Categorical


class Agent:
    def __init__(self):
        self.policy = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2), nn.Softmax(dim=-1))
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=1e-2)
        self.memory = []
        self.history = []

    def act(self, state):
        dist = Categorical(self.policy(state))
        action = dist.sample()
        return action.item(), dist.log_prob(action)

    def remember(self, log_probs, rewards):
        for log_prob, reward in zip(log_probs, rewards):
            {store}

    def learn(self):
        batch = random.sample(self.memory, min(4, len(self.memory)))
        loss = torch.stack([-lp * r for lp, r in batch]).sum()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.memory.clear()


def run(agent, episodes=3):
    for episode in range(episodes):
        log_probs, rewards = [], []
        for t in range(5):
            action, log_prob = agent.act(torch.randn(4))
            log_probs.append(log_prob){mark}
            rewards.append(1.0)
        agent.remember(log_probs, rewards)
        agent.learn()


if __name__ == "__main__":
    run(Agent())
"""

POSITIVES = [
    case(
        "stored-where-no-update-reads",
        _AGENT.format(store="self.history.append((log_prob, reward))", mark="  # expect: GRD502"),
        [38],
    ),
]

NEGATIVES = [
    case("stored-in-the-memory-the-update-reads", _AGENT.format(store="self.memory.append((log_prob, reward))", mark="")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
