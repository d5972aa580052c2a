"""A parameter annotated ``float``, ``int`` or ``bool`` is a number: it carries no graph, and neither
does a field the constructor binds to it (``self.gamma = gamma`` with ``gamma: float = 0.99``). A critic's
TD target built from values computed under ``no_grad``, rewards, dones and that discount then requires
no grad, and the value loss's backward() raises (GRD103). Without the annotation the discount is a value
of the caller's, which may be a tensor, and the loss stays unjudged."""

from snippets import findings

CRITIC = """\
import numpy as np
import torch
import torch.nn as nn


class Critic:
    def __init__(self, observation_size: int, gamma: float = 0.99):
        self.gamma = gamma
        self.value = nn.Sequential(nn.Linear(observation_size, 64), nn.Tanh(), nn.Linear(64, 1))
        self.optimizer = torch.optim.Adam(self.value.parameters(), lr=1e-3)

    def update(self, states, next_states, rewards, dones):
        states = torch.FloatTensor(np.array(states))
        next_states = torch.FloatTensor(np.array(next_states))
        rewards = torch.FloatTensor(rewards)
        dones = torch.BoolTensor(dones)
        with torch.no_grad():
            values = self.value(states).squeeze(-1)
            next_values = self.value(next_states).squeeze(-1)
        targets = rewards + self.gamma * (1 - dones.float()) * next_values
        value_loss = (targets - values).pow(2).mean()
        self.optimizer.zero_grad()
        value_loss.backward()
        self.optimizer.step()
        return value_loss.item()
"""


def _grd103(source):
    return [line for line, code in findings(source) if code == "GRD103"]


def test_a_discount_annotated_float_carries_no_graph():
    assert _grd103(CRITIC) == [23]


def test_an_unannotated_discount_may_be_the_callers_tensor():
    assert _grd103(CRITIC.replace("gamma: float = 0.99", "gamma=0.99")) == []
