"""A list a method appended graph-holding steps to (``self.memory.append((state, log_prob, reward))``) is
handed to the walk of the method it then calls (``self.learn()``), as a grad tensor left on ``self`` already
was (summaries.switched_fields): the callee read the empty list of ``__init__`` once another method also
rebinds the field (``self.memory = []`` after the update), so ``torch.tensor([t[1] for t in self.memory])``
was not known to copy graph values (GRD101, Quantum-Cheese/DeepReinforcementLearning_Pytorch #1's A3C worker)."""

from snippets import case_maker, rule_tests

CODE = "GRD101"
case = case_maker(CODE)

_WORKER = """\
import torch
import torch.nn as nn
from torch.distributions import Categorical


class Worker:
    def __init__(self):
        self.net = nn.Linear(4, 2)
        self.optimizer = torch.optim.Adam(self.net.parameters())
        self.memory = []

    def act(self, state):
        m = Categorical(torch.softmax(self.net(state), -1))
        action = m.sample()
        return action.item(), m.log_prob(action)

    def learn(self):
        log_probs = {combine}{mark}
        loss = -log_probs.mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.memory = []

    def run(self, states):
        for state in states:
            action, log_prob = self.act(state)
            self.memory.append((state, {kept}, 1.0))
        self.learn()


Worker().run([torch.randn(4) for _ in range(3)])
"""

_MARK = "  # expect: GRD101"
_TENSOR = "torch.tensor([t[1] for t in self.memory])"

POSITIVES = [
    case("log-probs-kept-on-self", _WORKER.format(combine=_TENSOR, mark=_MARK, kept="log_prob"), [18]),
]

NEGATIVES = [
    case("stacked", _WORKER.format(combine="torch.stack([t[1] for t in self.memory])", mark="", kept="log_prob")),
    case("kept-as-numbers", _WORKER.format(combine=_TENSOR, mark="", kept="log_prob.item()")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
