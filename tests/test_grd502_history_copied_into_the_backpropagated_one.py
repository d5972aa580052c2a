"""GRD502: a loop that keeps each task's loss in one list and copies the element into a second
list (``chosen[t] = per_task[t]``), which is summed and backpropagated after the loop, keeps
graphs that the backward() goes through: the first list holds the same tensors as the second.
A list whose elements reach no backpropagated one, and one copied into a list never backpropagated,
still report."""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

HEADER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHead(nn.Module):
    def __init__(self, n_tasks):
        super().__init__()
        self.body = nn.Linear(16, 16)
        self.heads = nn.ModuleList([nn.Linear(16, 4) for _ in range(n_tasks)])

    def forward(self, x, task):
        return self.heads[task](torch.relu(self.body(x)))


"""

COPIED = HEADER + """\
class Learner(MultiHead):
    def rehearse(self, optimizer, xs, ys, separate):
        n = len(xs)
        optimizer.zero_grad()
        ce_losses = [None] * n
        chosen = [None] * n
        for t in range(n):
            out = self(xs[t], t)
            ce_losses[t] = F.cross_entropy(out, ys[t])
            chosen[t] = ce_losses[t]
            if separate:
                weighted = chosen[t] / n
                weighted.backward()
        total = sum(chosen) / n
        if not separate:
            total.backward()
        optimizer.step()
        return total.item()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD502"]])]


def test_history_copied_into_the_list_backpropagated_after_the_loop():
    assert lines(COPIED) == []


def test_copy_into_a_list_never_backpropagated_still_reports():
    src = COPIED.replace("total = sum(chosen) / n", "total = out.sum()")
    assert lines(src) == [24]


def test_history_whose_elements_reach_no_backpropagated_list_still_reports():
    src = COPIED.replace("chosen[t] = ce_losses[t]", "chosen[t] = F.mse_loss(out, out.detach())")
    assert lines(src) == [24]
