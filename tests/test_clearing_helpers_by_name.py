"""A helper the analysis does not read, named for clearing gradients (pyro's ``zero_grads``, garage's
``zero_optim_grads(optimizer)``), clears them: the loop that calls it before each backward() is no
GRD501 (garage's SAC and PEARL trainers: seven false alarms once their helpers' module went unread).
A helper named otherwise is not taken for a clear."""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn
from some_rl_library.torch_utils import HELPER


class SAC:
    def __init__(self):
        self.qf = nn.Linear(4, 1)
        self.qf_optimizer = torch.optim.Adam(self.qf.parameters(), lr=1e-3)

    def train(self, batches):
        for batch in batches:
            loss = self.qf(batch).pow(2).mean()
            HELPER(self.qf_optimizer)
            loss.backward()
            self.qf_optimizer.step()


SAC().train([torch.randn(8, 4) for _ in range(3)])
"""


def test_a_helper_named_for_clearing_gradients_clears_them():
    for helper in ("zero_optim_grads", "zero_grads", "zero_all_grads"):
        assert findings(PROGRAM.replace("HELPER", helper), "GRD501") == [], helper


def test_a_helper_named_otherwise_is_not_taken_for_a_clear():
    assert findings(PROGRAM.replace("HELPER", "log_optimizer_stats"), "GRD501") == [(16, "GRD501")]
