"""GRD504 over a list field another method binds anew: an episode's first step starting the list of
log-probabilities afresh (``self.saved_log_probs = [m.log_prob(action)]``) drops the graphs the last
update() freed, while ``+=`` extends the same list and keeps them (torch 2.13: the first runs, the
second raises "Trying to backward through the graph a second time" on the second episode).
``field_stores.assigned_fields`` tells the two apart; before, it saw no plain ``self.X = ...``."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_AGENT = """
import torch
import torch.nn as nn
from torch.distributions import Categorical


class EpisodeAgent:
    def __init__(self):
        self.policy = nn.Sequential(nn.Linear(6, 3), nn.Softmax(dim=-1))
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=3e-3)
        self.saved_log_probs = []

    def start(self, observation):
        dist = Categorical(self.policy(observation))
        move = dist.sample()
        {start}
        return move.item()

    def step(self, observation):
        dist = Categorical(self.policy(observation))
        move = dist.sample()
        self.saved_log_probs.append(dist.log_prob(move))
        return move.item()

    def learn(self):
        objective = -torch.stack(self.saved_log_probs).sum()
        self.optimizer.zero_grad()
        objective.backward(){mark}
        self.optimizer.step()


agent = EpisodeAgent()
for episode in range(4):
    agent.start(torch.randn(6))
    for t in range(8):
        agent.step(torch.randn(6))
    agent.learn()
"""


def _agent(start, mark=""):
    return _AGENT.format(start=start, mark=mark)


POSITIVES = [
    case(
        "a_list_extended_in_place_by_the_first_step",
        _agent("self.saved_log_probs += [dist.log_prob(move)]", mark="  # expect: GRD504"),
        lines=(28,),
    ),
]

NEGATIVES = [
    case("a_new_list_started_by_the_first_step", _agent("self.saved_log_probs = [dist.log_prob(move)]")),
    case(
        "a_new_annotated_list_started_by_the_first_step",
        _agent("self.saved_log_probs: list = [dist.log_prob(move)]"),
    ),
    case(
        "a_new_list_unpacked_with_the_move",
        _agent("self.saved_log_probs, self.last_move = [dist.log_prob(move)], move"),
    ),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
