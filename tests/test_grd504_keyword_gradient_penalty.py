"""A gradient penalty written with keywords (``torch.autograd.grad(outputs=score, inputs=mixed,
grad_outputs=..., create_graph=True)``, the common WGAN-GP form) belongs to the graph of its outputs
and inputs as the positional form does: its value was unknown before, so a penalty backpropagated on
its own and then a critic loss through the same fake batch (torch 2.13: the second backward raises),
or a critic loop whose penalty mixes in a fake made once before it, went unreported."""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_CRITIC = """
import torch
import torch.nn as nn


class Critic(nn.Module):
    def __init__(self, width=10):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(width, 48), nn.LeakyReLU(0.2), nn.Linear(48, 1))

    def forward(self, rows):
        return self.net(rows)

    def penalty(self, real, fake, weight=10.0):
        mix = torch.rand(real.size(0), 1)
        mixed = (mix * real + (1 - mix) * fake).requires_grad_(True)
        score = self(mixed)
        slopes = torch.autograd.grad(
            outputs=score, inputs=mixed, grad_outputs=torch.ones_like(score), create_graph=True
        )[0]
        return weight * ((slopes.norm(2, dim=1) - 1) ** 2).mean()


generator = nn.Sequential(nn.Linear(6, 24), nn.ReLU(), nn.Linear(24, 10))
critic = Critic()
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
"""

_SEPARATE_BACKWARDS = _CRITIC + """

def critic_update(real):
    fake = generator(torch.randn(real.size(0), 6))
    wasserstein = critic(fake).mean() - critic(real).mean()
    gp = critic.penalty(real, fake)
    critic_opt.zero_grad()
    gp.backward({keep})
    wasserstein.backward(){mark}
    critic_opt.step()


for step in range(3):
    critic_update(torch.randn(8, 10))
"""

_CRITIC_LOOP = _CRITIC + """

def critic_round(real, n_critic=4):
    fake = generator(torch.randn(real.size(0), 6)){cut}
    for _ in range(n_critic):
        critic_opt.zero_grad()
        loss = critic(fake.detach()).mean() - critic(real).mean() + critic.penalty(real, fake)
        loss.backward(){mark}
        critic_opt.step()


critic_round(torch.randn(8, 10))
"""

_MARK = "  # expect: GRD504"

POSITIVES = [
    case(
        "penalty_backpropagated_before_the_critic_loss",
        _SEPARATE_BACKWARDS.format(keep="", mark=_MARK),
        lines=(35,),
    ),
    case("critic_loop_penalty_mixes_a_fake_made_before_it", _CRITIC_LOOP.format(cut="", mark=_MARK), lines=(34,)),
]

NEGATIVES = [
    case(
        "penalty_backward_retains_the_graph",
        _SEPARATE_BACKWARDS.format(keep="retain_graph=True", mark=""),
    ),
    case("critic_loop_fake_detached_once", _CRITIC_LOOP.format(cut=".detach()", mark="")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
