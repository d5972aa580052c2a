"""GRD502 reports a graph kept across iterations once, at the line that causes it.

``meter.update(loss)`` whose method adds the value into the meter: the call hands the graph over,
so the call is the cause (reported there, see tests/test_rule_grd502.py). A training-step method
that appends the loss it computed itself to ``self.history``: the append is the cause and is
reported in the method; the loop's ``self.step(x, y)``, which passes only data, is not reported
again.
"""

from snippets import findings

TRAINER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, lr):
        self.model = nn.Linear(4, 2)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.crit = nn.MSELoss()
        self.history = []

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.crit(self.model(x), y)
        loss.backward()
        self.opt.step()
        self.history.append(loss)  # expect: GRD502
        return loss.item()

    def run(self, loader, epochs):
        for epoch in range(epochs):
            for x, y in loader:
                self.step(x, y)
"""


def test_a_step_storing_its_own_loss_is_reported_at_the_store_only():
    assert findings(TRAINER, "GRD502") == [(17, "GRD502")]


METER = """\
import torch
import torch.nn as nn


class Meter:
    def __init__(self):
        self.total = 0

    def update(self, value):
        self.total += value


model = nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
meter = Meter()
for x, y in [(torch.randn(3, 4), torch.randn(3, 2))]:
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    meter.update(loss)  # expect: GRD502
"""


def test_a_call_handing_its_graph_to_a_meter_is_reported_at_the_call():
    assert findings(METER, "GRD502") == [(21, "GRD502")]
