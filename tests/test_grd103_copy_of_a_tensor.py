"""GRD103 through ``torch.tensor(t)`` with ``t`` a tensor: copy-constructing a tensor from a tensor
makes a new leaf without the graph ``t`` had, if it had one (torch warns to use
``t.clone().detach()``), so a loss made only from such copies raises "element 0 of tensors does not
require grad" at backward, whether ``t`` carried a graph or not (checked with torch 2.13). A PPO
agent copying the log-probs and values it stored during the rollout this way never trains
(corpus31 jjakimoto PPO-Pytorch core.py:208-216, the rollout memory in another file).

Silent: ``torch.tensor`` of values that are not known to be tensors (a list of numbers: the loss's
other operands decide), ``requires_grad=True`` on the copy, and a loss that still takes a model
output. (``torch.FloatTensor(t)`` aliases ``t``: tests/test_legacy_tensor_constructors_alias.py.)
"""

from snippets import case_maker, rule_tests

CODE = "GRD103"
case = case_maker(CODE)

POSITIVES = [
    case(
        "ppo-copies-stored-log-probs",
        """\
        import torch


        class Rollout:
            def __init__(self):
                self.log_probs, self.advantages = [], []

            def sample(self):
                return self.log_probs, self.advantages


        def update(memory, optimizer):
            stored_log_probs, stored_advantages = memory.sample()
            log_probs = torch.tensor(torch.stack(stored_log_probs), dtype=torch.float)
            advantages = torch.tensor(torch.stack(stored_advantages), dtype=torch.float)
            ratio = torch.exp(log_probs - log_probs.detach())
            surrogate = torch.min(ratio * advantages, ratio.clamp(0.8, 1.2) * advantages)
            loss = -surrogate.mean()
            optimizer.zero_grad()
            loss.backward()  # expect: GRD103
            optimizer.step()
        """,
        [20],
    ),
    case(
        "copy-of-a-model-output",
        """\
        import torch
        import torch.nn as nn

        critic = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(critic.parameters(), lr=0.1)
        for step in range(3):
            states, returns = torch.randn(8, 4), torch.randn(8, 1)
            values = torch.tensor(critic(states))
            loss = ((values - returns) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()  # expect: GRD103
            optimizer.step()
        """,
        [11],
    ),
]


NEGATIVES = [
    case(
        "tensor-of-a-list-of-unknown-values",
        """\
        import torch


        def update(rewards, optimizer):
            returns = torch.tensor(rewards, dtype=torch.float)
            loss = (returns ** 2).mean()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "copy-made-to-require-grad",
        """\
        import torch


        def fit(memory, optimizer):
            stored = memory.sample()
            scale = torch.tensor(torch.stack(stored), requires_grad=True)
            loss = (scale ** 2).sum()
            loss.backward()
            optimizer.step()
        """,
    ),
    case(
        "loss-keeps-the-model-output",
        """\
        import torch
        import torch.nn as nn

        critic = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(critic.parameters(), lr=0.1)
        for step in range(3):
            states = torch.randn(8, 4)
            values = critic(states)
            baseline = torch.tensor(values)
            loss = ((values - baseline) ** 2).mean() + values.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
