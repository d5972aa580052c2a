"""GRD502 and a list of log-probabilities made into a loss after the loop, that loss handed to an update
that backpropagates it: REINFORCE written as ``terms = [-lp * r for r, lp in zip(rewards, log_probs)]``,
``loss = torch.stack(terms).sum()``, ``learner.apply_loss(loss)``, the method of a class of another file
calling ``loss.backward()`` (``handed_histories.loss_handed_to_update``). Every step's graph is kept for
that backward on purpose. Before, only the list's own name handed to an update counted (``passed_on``,
``handed_to_update``), so the loop was reported as an evaluation loop's history (corpus33 Aethiles
ppo-pytorch test/understanding/test_gradient.py:59, a false alarm).

Still reported: the same loop whose mean goes to a logger of unknown class, and whose ``.item()`` (a
number) goes to the update: no graph reaches a backward.
"""

from snippets import case_maker, lint_path, rule_tests, write_project

CODE = "GRD502"
case = case_maker(CODE)

LEARNER = """\
import torch
import torch.nn as nn


class Learner(nn.Module):
    def __init__(self, n_obs, n_actions, lr=0.01):
        super().__init__()
        self.body = nn.Linear(n_obs, n_actions)
        self.optimizer = torch.optim.SGD(self.parameters(), lr=lr)

    def forward(self, state):
        return torch.distributions.Categorical(logits=self.body(state))

    def apply_loss(self, loss):
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
"""

EPISODE = """\
import torch

from learner import Learner


def reinforce(env_step, state, learner: Learner, steps=20):
    rewards = []
    log_probs = []
    for _ in range(steps):
        dist = learner(state)
        action = dist.sample()
        state, reward = env_step(action)
        rewards.append(reward)
        log_probs.append(dist.log_prob(action))
    terms = [-lp * r for r, lp in zip(rewards, log_probs)]
    loss = torch.stack(terms).sum()
    learner.apply_loss(loss)


def score(env_step, state, learner: Learner, writer, steps=20):
    log_probs = []
    for _ in range(steps):
        dist = learner(state)
        action = dist.sample()
        state, _ = env_step(action)
        log_probs.append(dist.log_prob(action))
    mean = torch.stack(log_probs).mean()
    writer.add_scalar("mean_log_prob", mean)
    learner.apply_loss(mean.item())
"""


def test_loss_handed_to_a_method_of_another_file(tmp_path):
    write_project(tmp_path, {"learner.py": LEARNER, "episode.py": EPISODE})
    # the REINFORCE loop (line 14) is silent; the scoring loop (line 26) keeps its graphs for nothing
    assert lint_path(tmp_path / "episode.py", select={CODE}) == [(26, CODE)]


POSITIVES = [
    case(
        "mean-logged-and-a-number-handed-to-the-update",
        """\
        import torch


        def update(optimizer, loss):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


        def score(states, writer, n_obs=4, n_actions=2):
            policy = torch.nn.Linear(n_obs, n_actions)
            optimizer = torch.optim.SGD(policy.parameters(), lr=0.01)
            log_probs = []
            for state in states:
                dist = torch.distributions.Categorical(logits=policy(state))
                log_probs.append(dist.log_prob(dist.sample()))  # expect: GRD502
            mean = torch.stack(log_probs).mean()
            writer.add_scalar("mean_log_prob", mean)
            update(optimizer, mean.item())
        """,
        lines=(16,),
    ),
]

NEGATIVES = [
    case(
        "loss-made-after-the-loop-handed-to-this-files-update",
        """\
        import torch


        def update(optimizer, loss):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


        def episode(states, rewards, n_obs=4, n_actions=2):
            policy = torch.nn.Linear(n_obs, n_actions)
            optimizer = torch.optim.SGD(policy.parameters(), lr=0.01)
            log_probs = []
            for state in states:
                dist = torch.distributions.Categorical(logits=policy(state))
                log_probs.append(dist.log_prob(dist.sample()))
            losses = [-lp * r for lp, r in zip(log_probs, rewards)]
            total = torch.cat(losses).sum()
            update(optimizer, total)
        """,
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
