"""A module's recurrent state started lazily at the first call (``if self.v is None: self.v =
torch.zeros(x.size(0), n)``, then ``self.v = self.decay * self.v + self.fc(x)``: norse#131's stateful
cell) is still carried from one call to the next: every later call finds the field set and skips the
branch. A training loop that backpropagates each batch then goes back through the previous batch's
freed graph (GRD504, "Trying to backward through the graph a second time", checked with torch 2.13).
A loop that resets the state (``model.cell.v = None``) before each batch does not."""

from snippets import findings

_SNN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class LIFCell(nn.Module):
    def __init__(self, n_in, n_out, decay=0.9):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out)
        self.decay = decay
        self.v = None

    def forward(self, x):
{start}
        self.v = self.decay * self.v + self.fc(x)
        return torch.sigmoid(5 * (self.v - 1.0))


class SNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = LIFCell(20, 10)

    def forward(self, seq):
        return torch.stack([self.cell(x_t) for x_t in seq]).sum(0)


def train(model, loader, optimizer):
    for seq, y in loader:
{reset}
        optimizer.zero_grad()
        loss = F.cross_entropy(model(seq), y)
        loss.backward()
        optimizer.step()


model = SNN()
train(model, [(torch.randn(6, 8, 20), torch.randint(0, 10, (8,)))] * 3, torch.optim.Adam(model.parameters()))
"""

_LAZY = """\
        if self.v is None:
            self.v = torch.zeros(x.size(0), self.fc.out_features)"""
_EVERY_CALL = """\
        if self.v is None or self.v.size(0) != x.size(0):
            self.v = torch.zeros(x.size(0), self.fc.out_features)"""


def test_state_started_at_the_first_call_is_carried():
    assert findings(_SNN.format(start=_LAZY, reset=""), "GRD504") == [(34, "GRD504")]


def test_loop_that_resets_the_state_is_silent():
    assert findings(_SNN.format(start=_LAZY, reset="        model.cell.v = None"), "GRD504") == []


def test_state_rebuilt_on_another_condition_stays_unknown():
    # made anew whenever the batch size changes: whether it is carried depends on the data
    assert findings(_SNN.format(start=_EVERY_CALL, reset=""), "GRD504") == []
