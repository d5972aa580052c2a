"""GRD504 over a list that keeps graphs from one iteration to the next: REINFORCE appends each step's
``m.log_prob(action)``, backpropagates ``torch.stack(saved_log_probs)`` at the end of the episode and
must empty the list before the next one (torch 2.13 raises "Trying to backward through the graph a
second time" otherwise). Emptied by ``del``, ``clear()``, a new list, a helper, or holding detached
values, nothing is freed twice."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_HEAD = """
import torch
import torch.nn as nn
from torch.distributions import Categorical

policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
"""


def _episodes(before="", inside="", after="", stored="m.log_prob(action)", mark=""):
    return (
        _HEAD
        + f"""
saved_log_probs = []
for episode in range(3):
{before}    for t in range(5):
        m = Categorical(policy(torch.randn(4)))
        action = m.sample()
        saved_log_probs.append({stored})
{inside}    loss = -torch.stack(saved_log_probs).sum()
    optimizer.zero_grad()
    loss.backward(){mark}
    optimizer.step()
{after}"""
    )


POSITIVES = [
    case("log_probs_kept_across_episodes", _episodes(mark="  # expect: GRD504"), lines=(17,)),
    case(
        "rewards_emptied_but_not_the_log_probs",
        _episodes(after="    rewards = []\n", mark="  # expect: GRD504"),
        lines=(17,),
    ),
    case(
        "inside_a_training_function",
        """
import torch
import torch.nn as nn
from torch.distributions import Categorical


def train(policy, optimizer, episodes):
    saved = []
    for episode in range(episodes):
        for t in range(5):
            m = Categorical(policy(torch.randn(4)))
            saved.append(m.log_prob(m.sample()))
        optimizer.zero_grad()
        policy_loss = torch.cat([-lp.unsqueeze(0) for lp in saved]).sum() + 0 * torch.stack(saved).sum()
        policy_loss.backward()  # expect: GRD504
        optimizer.step()


policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
train(policy, torch.optim.Adam(policy.parameters()), 3)
""",
        lines=(15,),
    ),
]

NEGATIVES = [
    case("emptied_with_del_after_the_step", _episodes(after="    del saved_log_probs[:]\n")),
    case("emptied_with_clear", _episodes(after="    saved_log_probs.clear()\n")),
    case("a_new_list_each_episode", _episodes(before="    saved_log_probs = []\n")),
    case("emptied_by_a_helper", "def reset(buffer):\n    buffer.clear()\n" + _episodes(after="    reset(saved_log_probs)\n")),
    case(
        "only_detached_values_kept",
        _HEAD
        + """
history = []
for episode in range(3):
    out = policy(torch.randn(4))
    history.append(out.detach())
    loss = (out - torch.stack(history).mean(0)).pow(2).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    ),
    case(
        "backpropagated_once_after_every_episode",
        _HEAD
        + """
saved_log_probs = []
for episode in range(3):
    for t in range(5):
        m = Categorical(policy(torch.randn(4)))
        saved_log_probs.append(m.log_prob(m.sample()))
loss = -torch.stack(saved_log_probs).sum()
loss.backward()
optimizer.step()
""",
    ),
]

_AGENT = """
import torch
import torch.nn as nn
from torch.distributions import Categorical


class Agent:
    def __init__(self):
        self.policy = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=-1))
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=1e-2)
        self.saved_log_probs = []
        self.rewards = []

    def act(self, state):
        m = Categorical(self.policy(state))
        action = m.sample()
        self.saved_log_probs.append(m.log_prob(action))
        return action.item()

    def reset(self):
        self.saved_log_probs.clear()
        self.rewards.clear()

    def update(self):
        loss = -torch.stack(self.saved_log_probs).sum()
        self.optimizer.zero_grad()
        loss.backward(){mark}
        self.optimizer.step()
{emptying}

agent = Agent()
for episode in range(3):
    for t in range(5):
        agent.act(torch.randn(4))
        agent.rewards.append(1.0)
    agent.update()
{after}"""


def _agent(emptying="        self.rewards = []", after="", mark=""):
    return _AGENT.format(emptying=emptying, after=after, mark=mark)


POSITIVES += [case("an_agent_that_empties_only_its_rewards", _agent(mark="  # expect: GRD504"), lines=(27,))]

NEGATIVES += [
    case("an_agent_that_deletes_its_log_probs", _agent("        del self.saved_log_probs[:]")),
    case("an_agent_that_clears_its_log_probs", _agent("        self.saved_log_probs.clear()")),
    case("an_agent_that_makes_a_new_list", _agent("        self.saved_log_probs = []")),
    case("an_agent_reset_by_the_training_loop", _agent(after="    agent.reset()\n")),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
