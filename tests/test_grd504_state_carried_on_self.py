"""GRD504 for a recurrent state kept on the instance whose method runs the loop:
``logits, self.state = self.model(x, self.state)`` in each iteration, backward() in each, no detach:
from the second iteration on the backward goes through the graph the previous one freed
(dliss-tutorial #1, checked with torch 2.13). Detaching, or resetting the state, in the loop ends it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

HEAD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, batch_first=True)
        self.proj = nn.Linear(8, 4)

    def forward(self, x, state):
        out, state = self.lstm(x, state)
        return self.proj(out), state


class Trainer:
    def __init__(self, model):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters())
        self.state = None

    def init_state(self, batch):
        h = torch.zeros(1, batch, 8)
        self.state = (h, h.clone())

"""

TAIL = """

Trainer(LM()).epoch([(torch.randn(2, 3, 4), torch.randn(2, 3, 4))] * 2)
"""

POSITIVES = [
    case(
        "lstm-state-kept-on-self-across-batches",
        HEAD
        + """\
    def epoch(self, data):
        self.init_state(2)
        for x, y in data:
            logits, self.state = self.model(x, self.state)
            loss = F.mse_loss(logits, y)
            self.opt.zero_grad()
            loss.backward()  # expect: GRD504
            self.opt.step()
"""
        + TAIL,
        [33],
    ),
]


NEGATIVES = [
    case(
        "state-on-self-detached-each-batch",
        HEAD
        + """\
    def epoch(self, data):
        self.init_state(2)
        for x, y in data:
            self.state = (self.state[0].detach(), self.state[1].detach())
            logits, self.state = self.model(x, self.state)
            loss = F.mse_loss(logits, y)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
"""
        + TAIL,
    ),
    case(
        "state-on-self-reset-each-batch",
        HEAD
        + """\
    def epoch(self, data):
        for x, y in data:
            self.init_state(2)
            logits, self.state = self.model(x, self.state)
            loss = F.mse_loss(logits, y)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
"""
        + TAIL,
    ),
    case(
        "last-loss-kept-on-self-for-logging",
        HEAD
        + """\
    def epoch(self, data):
        self.init_state(2)
        for x, y in data:
            logits, _ = self.model(x, self.state)
            loss = F.mse_loss(logits, y)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.last_loss = loss
"""
        + TAIL,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
