"""An actor-critic episode keeps each step's log-probability and value in lists started afresh for the
episode, and backpropagates them once the episode ends, from inside the step loop: ``if done:
agent.update(log_probs, values)`` as the last statement of ``while not done:``, or an arm ending in
``break``. That backward runs on the loop's last iteration only: it is the update after the loop, which
consumes what the steps kept (GRD502 stays silent, as it does for the update written after the loop).
Lists carried over from episode to episode still keep every episode's graphs."""

from snippets import case_maker, rule_tests

case = case_maker("GRD502")

AGENT = """\
import torch
import torch.nn as nn


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 32)
        self.policy = nn.Linear(32, 2)
        self.value = nn.Linear(32, 1)

    def forward(self, x):
        h = torch.tanh(self.body(x))
        return torch.softmax(self.policy(h), -1), self.value(h)


class Agent:
    def __init__(self):
        self.net = ActorCritic()
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=3e-4)

    def act(self, observation):
        probs, value = self.net(torch.as_tensor(observation, dtype=torch.float32))
        dist = torch.distributions.Categorical(probs)
        action = dist.sample()
        return action.item(), dist.log_prob(action), value

    def update(self, rewards, log_probs, values):
        returns = torch.tensor(rewards, dtype=torch.float32)
        advantage = returns - torch.cat(values)
        loss = -(torch.stack(log_probs) * advantage.detach()).sum() + advantage.pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


"""

NEGATIVES = [
    case(
        "update_under_the_exit_test_of_while_not_done",
        AGENT
        + """\
def train(env, episodes):
    agent = Agent()
    for episode in range(episodes):
        observation = env.reset()
        rewards, log_probs, values = [], [], []
        done = False
        while not done:
            action, log_prob, value = agent.act(observation)
            observation, reward, done, _ = env.step(action)
            rewards.append(reward)
            log_probs.append(log_prob)
            values.append(value)
            if done:
                agent.update(rewards, log_probs, values)
""",
    ),
    case(
        "update_in_an_arm_that_breaks",
        AGENT
        + """\
def train(env, episodes, max_steps=500):
    agent = Agent()
    for episode in range(episodes):
        observation = env.reset()
        rewards, log_probs, values = [], [], []
        for t in range(max_steps):
            action, log_prob, value = agent.act(observation)
            observation, reward, done, _ = env.step(action)
            rewards.append(reward)
            log_probs.append(log_prob)
            values.append(value)
            if done or t == max_steps - 1:
                agent.update(rewards, log_probs, values)
                break
""",
    ),
]

POSITIVES = [
    case(
        "lists_carried_from_episode_to_episode",
        AGENT
        + """\
def train(env, episodes):
    agent = Agent()
    rewards, log_probs, values = [], [], []
    for episode in range(episodes):
        observation = env.reset()
        while True:
            action, log_prob, value = agent.act(observation)
            observation, reward, done, _ = env.step(action)
            rewards.append(reward)
            log_probs.append(log_prob)  # expect: GRD502
            values.append(value)  # expect: GRD502
            if done:
                agent.update(rewards, log_probs, values)
                break
""",
        lines=(46, 47),
    ),
]

test_fires, test_silent = rule_tests("GRD502", POSITIVES, NEGATIVES)
