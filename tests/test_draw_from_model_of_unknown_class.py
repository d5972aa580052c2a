"""``model(x).sample()`` with ``model`` a module of unknown class (handed to the agent's constructor,
known to be a module because an optimizer is built over its parameters): no tensor has a ``sample``
method (``torch.distributions``' draws, ``sample``/``sample_n``/``enumerate_support``), so the
output is a distribution, whose draw records no graph (Distribution.sample runs under no_grad,
checked with torch 2.13), or an object the analysis does not know: the draw is not a grad tensor.

Before, the output was taken for the generic grad tensor of a module call and ``.sample()`` of it
kept the grad: GRD503 claimed ``action.numpy()`` raises in an actor-critic agent (corpus33 mfigura
RL-in-OpenAIGym Agents/AC.py:95, a false alarm). A tensor's own methods on a model output keep
reporting (``logits.softmax(-1).numpy()``).
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)

POSITIVES = [
    case(
        "tensor-method-of-an-unknown-model-output",
        """\
        import torch
        from torch import optim


        class Agent:
            def __init__(self, actor, lr):
                self.actor = actor
                self.optimizer = optim.Adam(self.actor.parameters(), lr=lr)

            def probabilities(self, state):
                logits = self.actor(torch.as_tensor(state, dtype=torch.float32))
                return logits.softmax(-1).numpy()  # expect: GRD503
        """,
        lines=(12,),
    ),
]

NEGATIVES = [
    case(
        "draw-from-a-policy-handed-in",
        """\
        import torch
        from torch import optim


        class ActorCritic:
            def __init__(self, actor, critic, lr):
                self.actor = actor
                self.critic = critic
                self.actor_optimizer = optim.Adam(self.actor.parameters(), lr=lr)
                self.critic_optimizer = optim.Adam(self.critic.parameters(), lr=lr)

            def get_action(self, state):
                state = torch.tensor(state, dtype=torch.float32)
                policy = self.actor(state)
                action = policy.sample()
                return action.numpy()
        """,
    ),
    case(
        "several-draws-in-a-loop",
        """\
        import torch


        def rollout(policy_net, env_states):
            policy_net.train()
            actions = []
            for state in env_states:
                actions.append(policy_net(state).sample_n(4).numpy())
            return actions
        """,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
