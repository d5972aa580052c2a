"""An episode loop whose update backpropagates step by step, then steps once, is a training loop.

REINFORCE as minimalRL writes it: ``pi.train_net(optimizer)`` runs, once per episode,
``for r, prob in self.data[::-1]: loss = -log(prob) * R; loss.backward()`` and then a single
``optimizer.step()``. The episode loop's own record then holds a step (the method's, at its top
level) and backward()s from a loop inside the method. GRD502 took a loop as training only when
its iterations backpropagated themselves, or called a function that both backpropagated and
stepped inside loops of its own; GRD501 only when they backpropagated themselves. Both now count a
backward from a called function's loop beside a step of the iteration.

Our own snippets, each a complete program.
"""

from snippets import findings

REINFORCE = """\
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 128)
        self.fc2 = nn.Linear(128, 2)
        self.data = []

    def forward(self, x):
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=0)

    def put_data(self, item):
        self.data.append(item)

    def train_net(self, optimizer, gamma=0.98):
        R = 0
        CLEAR
        for r, prob in self.data[::-1]:
            R = r + gamma * R
            loss = -torch.log(prob) * R
            loss.backward()
        optimizer.step()
        self.data = []


def main():
    pi = Policy()
    optimizer = torch.optim.Adam(pi.parameters(), lr=0.0002)
    scores = []
    for n_epi in range(10):
        s = np.zeros(4, dtype=np.float32)
        for t in range(20):
            prob = pi(torch.from_numpy(s).float())
            a = np.random.choice(2, p=prob.detach().numpy())
            pi.put_data((1.0, prob[a]))
        pi.train_net(optimizer)
        scores.append(KEPT)


main()
"""


def _program(clear="optimizer.zero_grad()", kept="prob"):
    return REINFORCE.replace("CLEAR", clear).replace("KEPT", kept)


def test_graph_kept_per_episode_of_a_loop_whose_update_backpropagates_in_its_own_loop():
    assert findings(_program(), "GRD502") == [(42, "GRD502")]


def test_the_value_kept_as_a_number_is_silent():
    assert findings(_program(kept="prob.max().item()"), "GRD502") == []


def test_update_that_never_clears_accumulates_across_episodes():
    assert findings(_program(clear="pass"), "GRD501") == [(27, "GRD501")]


def test_update_that_clears_once_per_episode_is_silent():
    # the per-step backward()s add up within the episode on purpose: one step per episode
    assert findings(_program(), "GRD501") == []
