"""``[m.numpy() for m in metric]`` over a list that holds a tensor requiring grad among others
(``[loss, loss, acc]``, fedbiomed#407's testing_step result): the comprehension converts every
element, so it reaches the loss and raises "Can't call numpy() on Tensor that requires grad"
(torch 2.13), although the list's joined element (the loss joined with the accuracy) is not known to
require grad. Detached first, filtered by a condition, or computed under no_grad, it is silent."""

from snippets import findings

_PLAN = """\
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Plan(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def testing_step(self, x, y):
        out = self.fc(x)
        loss = F.cross_entropy(out, y)
        acc = (out.argmax(1) == y).float().mean()
        return [loss, loss, acc]


def validate(plan, loader):
    results = []
    for x, y in loader:
{body}
    return results


validate(Plan(), [(torch.randn(2, 4), torch.randint(0, 3, (2,)))])
"""


def _src(body):
    return _PLAN.format(body="\n".join("        " + line for line in body.splitlines()))


def test_comprehension_converting_a_returned_list_with_a_loss():
    body = "metric = plan.testing_step(x, y)\nresults.append(np.array([m.numpy() for m in metric]))"
    assert findings(_src(body), "GRD503") == [(23, "GRD503")]


def test_comprehension_over_a_list_display_with_a_loss():
    body = (
        "out = plan.fc(x)\nloss = F.cross_entropy(out, y)\nacc = (out.argmax(1) == y).float().mean()\n"
        "results.append([m.numpy() for m in [loss, acc]])"
    )
    assert findings(_src(body), "GRD503") == [(25, "GRD503")]


def test_detached_elements_convert():
    body = "metric = plan.testing_step(x, y)\nresults.append(np.array([m.detach().numpy() for m in metric]))"
    assert findings(_src(body), "GRD503") == []


def test_filtered_comprehension_may_skip_the_loss():
    body = "metric = plan.testing_step(x, y)\nresults.append([m.numpy() for m in metric if not m.requires_grad])"
    assert findings(_src(body), "GRD503") == []


def test_under_no_grad_nothing_requires_grad():
    body = "with torch.no_grad():\n    metric = plan.testing_step(x, y)\n    results.append([m.numpy() for m in metric])"
    assert findings(_src(body), "GRD503") == []
