"""A project module whose forward returns a ``torch.distributions`` object (a policy network ending in
``return Categorical(probs)``): calling it gives that distribution, not a tensor. ``dist.sample()``
draws under no_grad and gives a tensor without a graph (an integer one for a Categorical), so
``action.numpy()`` runs (checked with torch 2.13); ``dist.log_prob(a)`` and ``dist.entropy()`` keep
the forward's graph, so their ``.numpy()`` raises "Can't call numpy() on Tensor that requires grad".

Before, the call was valued as a generic module output (a grad tensor), and ``.sample()`` of it kept
the grad: GRD503 claimed ``action.numpy()`` raises in an actor-critic agent's ``get_action``
(corpus33 mfigura RL-in-OpenAIGym Agents/AC.py:95, a false alarm).
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)

POSITIVES = [
    case(
        "log-prob-of-the-forward-distribution",
        """\
        import torch
        import torch.nn as nn


        class Policy(nn.Module):
            def __init__(self, n_obs, n_actions):
                super().__init__()
                self.body = nn.Linear(n_obs, 16)
                self.head = nn.Linear(16, n_actions)

            def forward(self, obs):
                logits = self.head(torch.tanh(self.body(obs)))
                return torch.distributions.Categorical(logits=logits)


        policy = Policy(4, 3)
        obs = torch.randn(5, 4)
        dist = policy(obs)
        action = dist.sample()
        log_prob = dist.log_prob(action)
        print(log_prob.numpy())  # expect: GRD503
        print(policy(obs).entropy().numpy())  # expect: GRD503
        """,
        lines=(21, 22),
    ),
]

NEGATIVES = [
    case(
        "sampled-action-to-numpy",
        """\
        import torch
        import torch.nn as nn
        from torch import distributions


        class Actor(nn.Module):
            def __init__(self, n_obs, n_actions):
                super().__init__()
                self.hidden = nn.Linear(n_obs, 32)
                self.out = nn.Linear(32, n_actions)
                self.softmax = nn.Softmax(-1)

            def forward(self, state):
                probs = self.softmax(self.out(torch.relu(self.hidden(state))))
                return distributions.Categorical(probs)


        class Agent:
            def __init__(self, n_obs, n_actions):
                self.actor = Actor(n_obs, n_actions)

            def get_action(self, state):
                state = torch.tensor(state, dtype=torch.float32)
                action = self.actor(state).sample()
                return action.numpy()
        """,
    ),
    case(
        "normal-sample-in-a-rollout-loop",
        """\
        import torch
        import torch.nn as nn


        class GaussianPolicy(nn.Module):
            def __init__(self):
                super().__init__()
                self.mean = nn.Linear(3, 2)
                self.log_std = nn.Parameter(torch.zeros(2))

            def forward(self, obs):
                return torch.distributions.Normal(self.mean(obs), self.log_std.exp())


        policy = GaussianPolicy()
        actions = []
        for step in range(4):
            dist = policy(torch.randn(1, 3))
            actions.append(dist.sample().numpy())
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
