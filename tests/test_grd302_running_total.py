"""GRD302 and a running total started from a fresh leaf (corpus37, a PPO loss whose policy term is
skipped on evaluation passes): ``loss = torch.tensor([0.], requires_grad=True).clone()`` then
``loss += value_loss``. The clone is what lets the in-place add run (on the leaf itself it raises),
nobody reads the total's ``.grad``, and the caller backpropagates it: no leaf is lost. A total whose
``.grad`` is read still fires."""

from snippets import case_maker, rule_tests

case = case_maker("GRD302")

_PPO_LOSS = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.v = nn.Linear(4, 1)

    def forward(self, s):
        return self.v(s).squeeze(-1)


def ppo_loss(critic, states, returns, ratios, advantages, update):
    if update:
        loss = -torch.min(ratios * advantages, ratios.clamp(0.8, 1.2) * advantages).mean()
    else:
        loss = {start}
    value_loss = F.mse_loss(critic(states), returns)
    loss += value_loss
{after}    return loss


critic = Critic()
total = ppo_loss(critic, torch.randn(8, 4), torch.randn(8), torch.ones(8), torch.randn(8), update=False)
total.backward()
"""


def _loss(start="torch.tensor([0.0], requires_grad=True).clone()", after="", mark=""):
    return _PPO_LOSS.format(start=start + mark, after=after)


POSITIVES = [
    case(
        "total_whose_grad_is_read",
        _loss(after="    print(loss.grad)\n", mark="  # expect: GRD302"),
        lines=(20,),
    ),
]

NEGATIVES = [
    case("cloned_total", _loss()),
    case("moved_total", _loss(start="torch.zeros(1, requires_grad=True).to(states.device)")),
]

test_fires, test_silent = rule_tests("GRD302", POSITIVES, NEGATIVES)
