"""GRD504: a neuron keeps its membrane potential on itself and updates it twice per call (the leak
and input, then a reset by subtraction after the spike: ``self.mem = self.mem - spk * thr``). The
second update adds no graph of its own, but reads the state the first one built on a graph, so the
state still carries the previous call's graph into the next batch. A parent forward that resets its
layers' state first (``self.lif.reset()``), or an update that starts the state afresh, carries none."""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_SNN = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Leaky(nn.Module):
    def __init__(self, beta=0.9, threshold=1.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold
        self.mem = None

    def reset(self):
        self.mem = None

    def forward(self, current):
        if self.mem is None:
            self.mem = torch.zeros_like(current)
        self.mem = self.beta * self.mem + current
        spk = torch.sigmoid(5 * (self.mem - self.threshold))
        self.mem = {second}
        return spk


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)
        self.lif = Leaky()

    def forward(self, x):
        {first}
        return self.lif(self.fc(x))


def train(net, loader):
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for data, targets in loader:
        loss = F.cross_entropy(net(data), targets)
        optimizer.zero_grad()
        loss.backward(){mark}
        optimizer.step()


train(Net(), [(torch.rand(8, 16), torch.randint(0, 4, (8,))) for _ in range(2)])
"""

POSITIVES = [
    case(
        "reset_by_subtraction",
        _SNN.format(second="self.mem - spk * self.threshold", first="pass", mark="  # expect: GRD504"),
        lines=(42,),
    ),
]

NEGATIVES = [
    case(
        "parent_resets_its_layer_first",
        _SNN.format(second="self.mem - spk * self.threshold", first="self.lif.reset()", mark=""),
    ),
    case("second_update_starts_afresh", _SNN.format(second="torch.zeros_like(spk)", first="pass", mark="")),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
