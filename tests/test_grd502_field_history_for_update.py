"""GRD502 and a history an object keeps for an update another function makes: an episode's steps
append ``(log_prob, value)`` to ``model.saved_actions``, and ``finish_episode`` reads the field into
the losses it backpropagates (``field_histories``). The collecting loop never calls ``backward()``,
yet it is no evaluation loop: every graph it keeps is meant for that update. A field only read by a
function that never backpropagates (a metrics summary) is still an evaluation loop's history."""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_POLICY = """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.distributions import Categorical


        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.affine = nn.Linear(4, 32)
                self.action_head = nn.Linear(32, 2)
                self.value_head = nn.Linear(32, 1)
                self.saved_actions = []
                self.rewards = []

            def forward(self, x):
                h = F.relu(self.affine(x))
                return F.softmax(self.action_head(h), dim=-1), self.value_head(h)

"""

_FINISH = """\

        def finish_episode(model, optimizer):
            returns = torch.tensor(model.rewards)
            losses = []
            for (log_prob, value), R in zip(model.saved_actions, returns):
                losses.append(-log_prob * (R - value.item()) + F.smooth_l1_loss(value, R.view(1)))
            optimizer.zero_grad()
            torch.stack(losses).sum().backward()
            optimizer.step()
            del model.saved_actions[:]
            del model.rewards[:]
"""

NEGATIVES = [
    case(
        "generator-of-episode-steps-keeps-log-probs-for-the-update",
        _POLICY
        + """\

        def episode_steps(model, steps):
            for _ in range(steps):
                probs, value = model(torch.randn(4))
                m = Categorical(probs)
                action = m.sample()
                model.saved_actions.append((m.log_prob(action), value))
                yield action.item()
"""
        + _FINISH
        + """\

        def main():
            model = Policy()
            optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
            for _ in range(3):
                for action in episode_steps(model, 5):
                    model.rewards.append(float(action == 0))
                finish_episode(model, optimizer)


        main()
        """,
    ),
    case(
        "rollout-function-keeps-log-probs-for-the-update",
        _POLICY
        + """\

        def rollout(model, steps):
            for _ in range(steps):
                probs, value = model(torch.randn(4))
                m = Categorical(probs)
                action = m.sample()
                model.saved_actions.append((m.log_prob(action), value))
                model.rewards.append(float(action.item() == 0))
"""
        + _FINISH
        + """\

        def main():
            model = Policy()
            optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
            for _ in range(3):
                rollout(model, 5)
                finish_episode(model, optimizer)


        main()
        """,
    ),
]

POSITIVES = [
    case(
        "evaluation-loop-keeps-outputs-a-summary-only-reads",
        _POLICY
        + """\

        class Tracker:
            def __init__(self):
                self.outputs = []


        def evaluate(model, tracker, batches):
            model.eval()
            for x in batches:
                tracker.outputs.append(model(x)[1])  # expect: GRD502


        def summarize(tracker):
            return torch.cat(tracker.outputs).mean().item()


        def main():
            model = Policy()
            tracker = Tracker()
            evaluate(model, tracker, [torch.randn(8, 4) for _ in range(3)])
            print(summarize(tracker))


        main()
        """,
        [29],
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)


_PPO = """\
import torch
import torch.nn as nn
from torch.distributions import Categorical


class Agent:
    def __init__(self):
        self.policy = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2), nn.Softmax(-1))
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=3e-4)
        self.memory = []

    def update(self):
        states, actions, logprobs, rewards = zip(*self.memory)
        returns = torch.tensor([sum(rewards[i:]) for i in range(len(rewards))])
        old_states = torch.stack(states).detach()
        old_actions = torch.stack(actions).detach()
        old_logprobs = torch.stack(logprobs).detach()
        for _ in range(4):
            dist = Categorical(self.policy(old_states))
            logprobs = dist.log_prob(old_actions)
            ratios = torch.exp(logprobs - old_logprobs)
            loss = -(ratios * returns).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.memory.clear()

    def collect(self, steps):
        for _ in range(steps):
            state = torch.randn(4)
            dist = Categorical(self.policy(state))
            action = dist.sample()
            self.memory.append((state, action, dist.log_prob(action), 1.0))  # MARK
        self.update()


Agent().collect(8)
"""


def _line(src, mark="# MARK"):
    return next(number for number, line in enumerate(src.splitlines(), 1) if mark in line)


def test_an_update_that_takes_the_kept_log_probs_only_detached_does_not_need_their_graphs():
    """PPO's rollout: the update detaches the old log-probabilities, so the kept graphs only cost memory."""
    from snippets import findings

    assert findings(_PPO, CODE) == [(_line(_PPO), CODE)]


def test_an_update_that_backpropagates_the_kept_log_probs_needs_them():
    from snippets import findings

    src = _PPO.replace("old_logprobs = torch.stack(logprobs).detach()", "old_logprobs = torch.stack(logprobs)")
    assert findings(src, CODE) == []
