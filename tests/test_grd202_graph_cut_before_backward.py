"""GRD202 in a scope that backpropagates, but never through the written tensor.

TD3's critic update builds the smoothed target action in place: ``a2 = actor_target(s2)`` (a tanh
head saves its output), ``a2 += noise``, and the target Q value computed from it enters the loss
only through ``.detach()``. The critic's ``loss.backward()`` runs through its own graph, no backward
reaches the tanh, and nothing raises (checked with torch 2.13). The write raises "modified by an
inplace operation" as soon as a backpropagated loss is computed from it: the target used without
``.detach()``, an actor loss built on the noisy action, another name bound to the same tensor, or
a backward that is not a ``.backward()`` call (``autograd.grad``), a function of the file
backpropagating a global computed from it. The rule also stays when the tensor leaves the scope
(kept in a list), where code it does not see may backpropagate it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)

NETWORKS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, s):
        return torch.tanh(self.fc(s))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 1)

    def forward(self, s, a):
        return self.fc(torch.cat([s, a], 1))


actor, actor_target = Actor(), Actor()
critic, critic_target = Critic(), Critic()
critic_opt = torch.optim.Adam(critic.parameters())
actor_opt = torch.optim.Adam(actor.parameters())
kept_actions = []


"""


def _update(body: str) -> str:
    return (
        NETWORKS
        + "def update(s, a, r, s2, gamma=0.99):\n"
        + body
        + "\n\nupdate(torch.randn(4, 3), torch.randn(4, 2), torch.randn(4, 1), torch.randn(4, 3))\n"
    )


TARGET_DETACHED = """\
    a2 = actor_target(s2)
    a2 += torch.randn_like(a2).clamp(-0.5, 0.5)
    target = r + gamma * critic_target(s2, a2)
    critic_loss = F.mse_loss(critic(s, a), target.detach())
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()"""

POSITIVES = [
    case(
        "target-backpropagated",
        _update(TARGET_DETACHED.replace("target.detach()", "target").replace("clamp(-0.5, 0.5)\n", "clamp(-0.5, 0.5)  # expect: GRD202\n")),
        [33],
    ),
    case(
        "actor-loss-on-the-noisy-action",
        _update(
            """\
    a_pi = actor(s)
    a_pi += 0.1 * torch.randn_like(a_pi)  # expect: GRD202
    actor_loss = -critic(s, a_pi).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()"""
        ),
        [33],
    ),
    case(
        "an-alias-backpropagated",
        _update(
            """\
    a_pi = actor(s)
    explored = a_pi
    a_pi += 0.1 * torch.randn_like(a_pi)  # expect: GRD202
    actor_loss = -critic(s, explored).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()"""
        ),
        [34],
    ),
    case(
        "kept-in-a-list",
        _update(
            """\
    a_pi = actor(s)
    a_pi += 0.1 * torch.randn_like(a_pi)  # expect: GRD202
    kept_actions.append(a_pi)
    critic_loss = F.mse_loss(critic(s, a), r)
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()"""
        ),
        [33],
    ),
    case(
        "differentiated-with-autograd-grad",
        _update(
            """\
    a2 = actor_target(s2)
    a2 += torch.randn_like(a2)  # expect: GRD202
    target = critic_target(s2, a2)
    critic_loss = F.mse_loss(critic(s, a), target.detach())
    grads = torch.autograd.grad(target.sum(), list(actor_target.parameters()))
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()"""
        ),
        [33],
    ),
]

NEGATIVES = [
    case("target-detached-before-the-critic-loss", _update(TARGET_DETACHED)),
    case(
        "actor-and-critic-updates-after-the-target",
        _update(
            TARGET_DETACHED
            + """
    actor_loss = -critic(s, actor(s)).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()"""
        ),
    ),
]

TOP_LEVEL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

actor_target = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
critic, critic_target = nn.Linear(5, 1), nn.Linear(5, 1)
critic_opt = torch.optim.Adam(critic.parameters())
s, a, s2 = torch.randn(4, 3), torch.randn(4, 2), torch.randn(4, 3)

a2 = actor_target(s2)
a2 += 0.1 * torch.randn_like(a2)  # WRITE
target = critic_target(torch.cat([s2, a2], 1))


def critic_step(y):
    loss = F.mse_loss(critic(torch.cat([s, a], 1)), y)
    critic_opt.zero_grad()
    loss.backward()
    critic_opt.step()


critic_step(target.detach())
critic_opt.zero_grad()
(critic(torch.cat([s, a], 1)) ** 2).mean().backward()
"""

POSITIVES.append(
    case(
        "a-function-of-the-file-backpropagates-the-global",
        TOP_LEVEL.replace("# WRITE", "# expect: GRD202")
        .replace("def critic_step(y):", "def critic_step():")
        .replace("[s, a], 1)), y)", "[s, a], 1)), target)")
        .replace("critic_step(target.detach())", "critic_step()"),
        [11],
    )
)
NEGATIVES.append(case("top-level-target-handed-detached", TOP_LEVEL))

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)

