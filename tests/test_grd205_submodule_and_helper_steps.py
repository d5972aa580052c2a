"""GRD205 through a submodule's optimizer and through a helper that steps.

Discrete SAC as students write it (corpus25, a reward-shaping SAC agent): the critic holds two
Q-networks with one optimizer each (``Adam(self.critic.qnet1.parameters())``), the policy loss is
computed through ``self.critic(states)`` before the updates, and every update goes through
``update_params(optim, loss)`` (zero_grad, backward(retain_graph=True), step). The Q-network steps
write weights the policy loss's graph saved: its backward raises "one of the variables needed for
gradient computation has been modified by an inplace operation" (checked with torch 2.13).

Two mechanisms were missing: the submodules a project model's forward ran were known to the caller
only as the model (``self.critic``), not as ``self.critic.qnet1`` (``submodule_saves``), and a
helper's step did not make the caller's graphs stale (``SummaryReplay._apply_steps``).

Our own snippets, each a complete program.
"""

from snippets import case_maker, rule_tests

CODE = "GRD205"
case = case_maker(CODE)

CRITIC = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, s):
        return self.body(s)


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.qnet1 = QNet()
        self.qnet2 = QNet()

    def forward(self, s):
        return self.qnet1(s), self.qnet2(s)
"""

HELPER = """

def update_params(optim, loss):
    optim.zero_grad()
    loss.backward(retain_graph=True)
    optim.step()
"""

AGENT = """

class Agent:
    def __init__(self):
        self.actor = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
        self.critic = Critic()
        self.actor_optim = torch.optim.Adam(self.actor.parameters())
        self.q1_optim = torch.optim.Adam(self.critic.qnet1.parameters())
        self.q2_optim = torch.optim.Adam(self.critic.qnet2.parameters())
"""


def _program(learn: str, critic: str = CRITIC, helper: str = HELPER) -> str:
    return critic + helper + AGENT + learn


POSITIVES = [
    case(
        "submodule-optimizer-stepped-before-a-backward-through-the-parent-model",
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        q1_loss = F.mse_loss(q1, target)
        p1, p2 = self.critic(states)
        policy_loss = -(torch.min(p1, p2) * self.actor(states)).sum(1).mean()
        self.q1_optim.zero_grad()
        q1_loss.backward()
        self.q1_optim.step()
        self.actor_optim.zero_grad()
        policy_loss.backward()  # expect: GRD205
        self.actor_optim.step()
"""
        ),
        lines=(48,),
    ),
    case(
        "helper-steps-the-critic-then-backpropagates-the-policy-loss-through-it",
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        q1_loss = F.mse_loss(q1, target)
        q2_loss = F.mse_loss(q2, target)
        p1, p2 = self.critic(states)
        policy_loss = -(torch.min(p1, p2) * self.actor(states)).sum(1).mean()
        update_params(self.q1_optim, q1_loss)
        update_params(self.q2_optim, q2_loss)
        update_params(self.actor_optim, policy_loss)
""",
            helper=HELPER.replace("loss.backward(retain_graph=True)", "loss.backward(retain_graph=True)  # expect: GRD205"),
        ),
        lines=(27,),
    ),
]

NEGATIVES = [
    case(
        "policy-loss-recomputed-after-the-critic-steps",
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        update_params(self.q1_optim, F.mse_loss(q1, target))
        update_params(self.q2_optim, F.mse_loss(q2, target))
        p1, p2 = self.critic(states)
        policy_loss = -(torch.min(p1, p2) * self.actor(states)).sum(1).mean()
        update_params(self.actor_optim, policy_loss)
"""
        ),
    ),
    case(
        "policy-loss-through-the-critic-under-no-grad",
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        with torch.no_grad():
            p1, p2 = self.critic(states)
        policy_loss = -(torch.min(p1, p2) * self.actor(states)).sum(1).mean()
        update_params(self.q1_optim, F.mse_loss(q1, target))
        update_params(self.actor_optim, policy_loss)
"""
        ),
    ),
    case(
        "the-other-q-network-loss-backpropagated-after-the-first-one-steps",
        # q2 went through the critic, but only through qnet2: qnet1's step leaves its graph alone
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        q1_loss = F.mse_loss(q1, target)
        q2_loss = F.mse_loss(q2, target)
        update_params(self.q1_optim, q1_loss)
        update_params(self.q2_optim, q2_loss)
"""
        ),
    ),
    case(
        "parent-forward-detaches-the-stepped-submodule",
        _program(
            """
    def learn(self, states, target):
        q1, q2 = self.critic(states)
        q1_loss = F.mse_loss(q1, target)
        p1, p2 = self.critic(states)
        policy_loss = -(p2 * self.actor(states)).sum(1).mean()
        self.q1_optim.zero_grad()
        q1_loss.backward()
        self.q1_optim.step()
        policy_loss.backward()
""",
            critic=CRITIC.replace("return self.qnet1(s), self.qnet2(s)", "return self.qnet1(s).detach(), self.qnet2(s)"),
        ),
    ),
    case(
        "helper-steps-only-under-its-own-condition",
        _program(
            """
    def learn(self, states, target, step):
        q1, q2 = self.critic(states)
        q1_loss = F.mse_loss(q1, target)
        p1, p2 = self.critic(states)
        policy_loss = -(torch.min(p1, p2) * self.actor(states)).sum(1).mean()
        update_params(self.q1_optim, q1_loss, step)
        update_params(self.actor_optim, policy_loss, True)
""",
            helper="""

def update_params(optim, loss, step):
    optim.zero_grad()
    loss.backward(retain_graph=True)
    if step:
        optim.step()
""",
        ),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
