"""GRD502: histories a loop grows for the update that backpropagates them.

REINFORCE collects an episode's log-probabilities in a local list, in a step loop that calls no
backward(), and hands the list to an update method of the file that sums them into a loss and calls
``loss.backward()`` (corpus29 woithook/A2C-Pytorch-implementations alg/LSTM_learning_v0.py:143-144,
``agent.update_parameters(rewards, log_probs, entropies, gamma)``). An actor-critic keeps
``model.action_history`` in a training loop whose every fifth step calls ``perform_updates()``, a
function that reads the history into its loss, backpropagates it and clears it (corpus29
parvkpr/Simple-A2C-Pytorch-MountainCarv0 doodle.py:134). Both keep their graphs for that backward.
The look-alikes: the list only printed after the loop, and a history the update never reads."""

from snippets import case_maker, rule_tests

case = case_maker("GRD502")

_HANDED_TO_UPDATE = """import torch
import torch.nn as nn
import torch.optim as optim


class Agent:
    def __init__(self):
        self.model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
        self.optimizer = optim.Adam(self.model.parameters(), lr=1e-3)

    def select_action(self, state):
        probs = torch.softmax(self.model(state), dim=-1)
        action = torch.multinomial(probs, 1)
        return action.item(), torch.log(probs[action])

    def update_parameters(self, rewards, log_probs, gamma):
        R = 0.0
        loss = 0
        for i in reversed(range(len(rewards))):
            R = gamma * R + rewards[i]
            loss = loss - log_probs[i] * R
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


agent = Agent()
for episode in range(3):
    log_probs = []
    rewards = []
    for t in range(5):
        action, log_prob = agent.select_action(torch.randn(4))
        log_probs.append(log_prob)
        rewards.append(float(action))
    agent.update_parameters(rewards, log_probs, 0.99)
"""

_ONLY_PRINTED = """import torch
import torch.nn as nn
import torch.optim as optim


class Agent:
    def __init__(self):
        self.model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
        self.optimizer = optim.Adam(self.model.parameters(), lr=1e-3)

    def select_action(self, state):
        probs = torch.softmax(self.model(state), dim=-1)
        action = torch.multinomial(probs, 1)
        return action.item(), torch.log(probs[action])

    def update_parameters(self, rewards, log_probs, gamma):
        R = 0.0
        loss = 0
        for i in reversed(range(len(rewards))):
            R = gamma * R + rewards[i]
            loss = loss - log_probs[i] * R
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


agent = Agent()
for episode in range(3):
    log_probs = []
    rewards = []
    for t in range(5):
        action, log_prob = agent.select_action(torch.randn(4))
        log_probs.append(log_prob)  # expect: GRD502
        rewards.append(float(action))
    print(len(log_probs), sum(rewards))
"""

_READ_BY_UPDATE = """import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(2, 16)
        self.actor_head = nn.Linear(16, 3)
        self.critic_head = nn.Linear(16, 1)
        self.action_history = []
        self.rewards_achieved = []

    def forward(self, x):
        h = F.relu(self.body(x))
        return self.critic_head(h), h

    def act(self, x):
        value, h = self(x)
        dist = torch.distributions.Categorical(logits=self.actor_head(h))
        action = dist.sample()
        return value, action, dist.log_prob(action)


model = ActorCritic()
optimizer = optim.Adam(model.parameters(), lr=0.002)


def perform_updates():
    saved = model.action_history
    returns = torch.tensor(model.rewards_achieved)
    losses = []
    for (log_prob, value), r in zip(saved, returns):
        advantage = r - value.item()
        losses.append(-log_prob * advantage + F.mse_loss(value, r.view(1)))
    optimizer.zero_grad()
    loss = torch.stack(losses).sum()
    loss.backward()
    optimizer.step()
    del model.rewards_achieved[:]
    del model.action_history[:]
    return loss.item()


for episode in range(3):
    counter = 0
    done = False
    while not done:
        value, action, log_prob = model.act(torch.randn(2))
        model.action_history.append((log_prob, value))
        model.rewards_achieved.append(float(action))
        counter += 1
        if counter % 5 == 0:
            perform_updates()
        done = counter >= 10
"""

_NOT_READ_BY_UPDATE = """import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(2, 16)
        self.actor_head = nn.Linear(16, 3)
        self.critic_head = nn.Linear(16, 1)
        self.action_history = []
        self.rewards_achieved = []

    def forward(self, x):
        h = F.relu(self.body(x))
        return self.critic_head(h), h

    def act(self, x):
        value, h = self(x)
        dist = torch.distributions.Categorical(logits=self.actor_head(h))
        action = dist.sample()
        return value, action, dist.log_prob(action)


model = ActorCritic()
optimizer = optim.Adam(model.parameters(), lr=0.002)


def perform_updates():
    value, _ = model(torch.randn(5, 2))
    returns = torch.tensor(model.rewards_achieved)
    optimizer.zero_grad()
    loss = F.mse_loss(value.squeeze(1), returns)
    loss.backward()
    optimizer.step()
    del model.rewards_achieved[:]
    return loss.item()


for episode in range(3):
    counter = 0
    done = False
    while not done:
        value, action, log_prob = model.act(torch.randn(2))
        model.action_history.append((log_prob, value))  # expect: GRD502
        model.rewards_achieved.append(float(action))
        counter += 1
        if counter % 5 == 0:
            perform_updates()
        done = counter >= 10
"""

POSITIVES = [
    case("episode_list_only_printed", _ONLY_PRINTED, lines=(33,)),
    case("history_the_update_never_reads", _NOT_READ_BY_UPDATE, lines=(47,)),
]

NEGATIVES = [
    case("episode_list_handed_to_backpropagating_update", _HANDED_TO_UPDATE),
    case("history_read_and_backpropagated_by_periodic_update", _READ_BY_UPDATE),
]

test_fires, test_silent = rule_tests("GRD502", POSITIVES, NEGATIVES)
