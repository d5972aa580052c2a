"""GRD302 and a list of non-leaves whose every element the function asks to keep its gradient:
a controlled-generation step perturbs each cached key/value tensor,
``deltas = [torch.from_numpy(a).requires_grad_(True).double() for a in accumulated]``, then
``for d in deltas: d.retain_grad()`` before the forward, and reads ``d.grad`` after backward().
retain_grad() makes autograd fill a non-leaf's ``.grad`` (checked with torch 2.13), so nothing is
lost with the leaves. A list whose elements are never retained still reports, and so does one
where the loop retains the elements of another list.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

STEP = """\
import numpy as np
import torch


def perturb_past(score, past, accumulated, step_size):
    deltas = [torch.from_numpy(a).requires_grad_(True).double() for a in accumulated]  # MARK
{retain}    loss = score([p + d for p, d in zip(past, deltas)])
    loss.backward()
    grads = [-step_size * d.grad / (d.grad.norm() + 1e-10) for d in deltas]
    return [g.detach().numpy() + a for g, a in zip(grads, accumulated)]
"""


def _step(retain="", marked=False):
    return STEP.replace("{retain}", retain).replace("  # MARK", "  # expect: GRD302" if marked else "")


POSITIVES = [
    case("elements-never-retained", _step(marked=True), [6]),
    case("another-list-retained", _step("    for p in past:\n        p.retain_grad()\n", True), [6]),
]

NEGATIVES = [
    case("every-element-retained", _step("    for d in deltas:\n        d.retain_grad()\n")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
