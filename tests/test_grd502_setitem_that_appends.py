"""``stat_col["loss"] = loss`` on a statistics collector whose ``__setitem__`` appends the value to a
list it keeps (mi-prometheus #111): each iteration's store keeps one more loss graph (GRD502), as
``losses.append(loss)`` would. Storing ``loss.item()`` keeps numbers: silent."""

from snippets import findings

LOOP = """\
import torch
import torch.nn as nn


class StatisticsCollector:
    def __init__(self):
        self.statistics = {}

    def add_statistic(self, key):
        self.statistics[key] = []

    def __setitem__(self, key, value):
        self.statistics[key].append(value)


def episode_loop(model, optimizer, batches):
    stat_col = StatisticsCollector()
    stat_col.add_statistic("loss")
    for x, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        stat_col["loss"] = STORED
    return stat_col


model = nn.Linear(4, 3)
episode_loop(model, torch.optim.SGD(model.parameters(), lr=0.1), [(torch.randn(2, 4), torch.randint(0, 3, (2,)))])
"""


def test_a_store_that_appends_keeps_every_graph():
    assert (24, "GRD502") in findings(LOOP.replace("STORED", "loss"))


def test_storing_the_number_is_silent():
    assert "GRD502" not in [code for _, code in findings(LOOP.replace("STORED", "loss.item()"))]
