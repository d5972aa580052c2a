"""GRD502 and an episode history an actor-critic worker keeps in its own fields for an update made
by helper methods: the episode loop appends each step's log-probability and value to
``self.log_probs`` / ``self.values``; after the loop, ``loss = self.episode_loss()`` reads them
(through a helper of its own) and ``self.apply_update(loss)`` backpropagates it. No single method both
reads the field and calls ``backward()``, yet every kept graph is meant for that update
(``field_histories``). Still reported: a history that is only summarised (what its readers compute never reaches a
backward(), even when an update of another loss runs next to them), and one whose update ran
before the collecting loop."""

from snippets import case_maker, rule_tests

CODE = "GRD502"
case = case_maker(CODE)

_WORKER = """\
    import torch
    import torch.nn as nn
    from torch.distributions import Categorical


    class ActorCritic(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 3)

        def forward(self, x):
            return self.body(x)


    class Worker:
        def __init__(self, env, model):
            self.env = env
            self.model = model
            self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def run(self, episodes):
            for _ in range(episodes):
                state = self.env.reset()
                done = False
                self.log_probs = []
                self.values = []
                self.rewards = []
                while not done:
                    out = self.model(torch.as_tensor(state, dtype=torch.float32))
                    dist = Categorical(logits=out[:2])
                    action = dist.sample()
                    state, reward, done = self.env.step(action.item())
                    self.log_probs.append(dist.log_prob(action))  # LOGP
                    self.values.append(out[2])  # VALUE
                    self.rewards.append(reward)
                loss = self.episode_loss()
                self.apply_update(loss)

        def returns(self):
            total, out = 0.0, []
            for reward in reversed(self.rewards):
                total = reward + 0.99 * total
                out.insert(0, total)
            return torch.tensor(out)

        def episode_loss(self):
            advantages = self.returns() - torch.stack(self.values)
            return self.actor_loss(advantages.detach()) + advantages.pow(2).mean()

        def actor_loss(self, advantages):
            return -(torch.stack(self.log_probs) * advantages).mean()

        def apply_update(self, loss):
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


    Worker(None, ActorCritic()).run(10)
"""


def _marked(src: str, mark: str, code: str = CODE) -> str:
    return src.replace(f"# {mark}", f"# expect: {code}")


_SUMMARY_ONLY = _WORKER.replace(
    """                loss = self.episode_loss()
                self.apply_update(loss)""",
    """                print(self.summary())""",
).replace(
    "        def episode_loss(self):",
    """        def summary(self):
            return torch.stack(self.values).mean().item(), torch.stack(self.log_probs).mean().item()

        def episode_loss(self):""",
)

_UPDATE_BEFORE = _WORKER.replace(
    """            for _ in range(episodes):
                state = self.env.reset()""",
    """            for _ in range(episodes):
                self.apply_update(self.episode_loss())
                state = self.env.reset()""",
).replace(
    """                loss = self.episode_loss()
                self.apply_update(loss)""",
    """                print(self.summary())""",
).replace(
    "        def episode_loss(self):",
    """        def summary(self):
            return torch.stack(self.values).mean().item()

        def episode_loss(self):""",
)

_UNRELATED_UPDATE = _SUMMARY_ONLY.replace(
    """                print(self.summary())""",
    """                print(self.summary())
                self.apply_update(self.anchor_loss())""",
).replace(
    "        def episode_loss(self):",
    """        def anchor_loss(self):
            return self.model(torch.zeros(4)).pow(2).mean()

        def episode_loss(self):""",
)

POSITIVES = [
    case(
        "a-history-summarised-while-an-update-backpropagates-another-loss",
        _marked(_marked(_UNRELATED_UPDATE, "LOGP"), "VALUE"),
        lines=(33, 34),
    ),
    case(
        "a-history-only-summarised-after-the-episode",
        _marked(_marked(_SUMMARY_ONLY, "LOGP"), "VALUE"),
        lines=(33, 34),
    ),
    case(
        "a-history-whose-update-ran-before-the-collecting-loop",
        _marked(_marked(_UPDATE_BEFORE, "LOGP"), "VALUE"),
        lines=(34, 35),
    ),
]

NEGATIVES = [
    case("an-episode-history-read-by-one-helper-and-backpropagated-by-another", _WORKER),
    case(
        "an-episode-history-read-and-backpropagated-by-one-helper-of-the-update",
        _WORKER.replace(
            """                loss = self.episode_loss()
                self.apply_update(loss)""",
            """                self.learn()""",
        ).replace(
            "        def episode_loss(self):",
            """        def learn(self):
            self.apply_update(self.episode_loss())

        def episode_loss(self):""",
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
