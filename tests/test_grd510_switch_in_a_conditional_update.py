"""GRD510: a field switched to eval() by a method the training loop calls only on some
iterations (``if step >= warmup: agent.update(batch)``) is still switched for good
(rules/grd510_eval_mode_not_restored.py).

A DDPG-style agent's ``update`` trains its critic, then calls ``self.critic.eval()`` before the
actor's loss goes through it, and nothing calls ``self.critic.train()`` again: from the second
update on, the critic's batch-norm layer trains in eval mode. The loop calls ``update`` under a
warm-up test; the join of that ``if`` forgot the attribute path ``agent.critic`` (bound in one arm
only), so the switch went unreported, while the same loop without the test reported it.
"""

import pytest

from snippets import findings

_AGENT = """\
    import torch
    from torch import nn


    class Critic(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 32)
            self.bn = nn.BatchNorm1d(32)
            self.out = nn.Linear(32, 1)

        def forward(self, state, action):
            return self.out(torch.relu(self.bn(self.fc(torch.cat([state, action], 1)))))


    class Agent:
        def __init__(self):
            self.actor = nn.Sequential(nn.Linear(4, 2), nn.Tanh())
            self.critic = Critic()
            self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=1e-4)
            self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=1e-3)

        def update(self, state, action, target):
            self.critic_opt.zero_grad()
            critic_loss = ((self.critic(state, action) - target) ** 2).mean()
            critic_loss.backward()
            self.critic_opt.step()
            self.critic.eval()
            self.actor_opt.zero_grad()
            actor_loss = -self.critic(state, self.actor(state)).mean()
            actor_loss.backward()
            self.actor_opt.step()


    def train(batches, warmup):
        agent = Agent()
        for step, (state, action, target) in enumerate(batches):
            if step >= warmup:
                agent.update(state, action, target)
"""


def test_switch_in_an_update_called_after_warm_up_fires():
    assert findings(_AGENT, "GRD510") == [(28, "GRD510")]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(_AGENT.replace("            self.critic_opt.zero_grad()\n",
                                    "            self.critic.train()\n            self.critic_opt.zero_grad()\n", 1),
                     id="critic-switched-back-at-each-update"),
        pytest.param(_AGENT.replace("            self.bn = nn.BatchNorm1d(32)\n", "").replace("self.bn(self.fc(", "(self.fc("),
                     id="critic-without-mode-dependent-layers"),
    ],
)
def test_restored_or_mode_free_critic_is_not_reported(src):
    assert findings(src, "GRD510") == []
