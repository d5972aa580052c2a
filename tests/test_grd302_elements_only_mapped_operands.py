"""GRD302 and a list of non-leaves whose elements the function only adds element by element to
another list: a controlled-generation step ends by turning its accumulated numpy perturbations
back into tensors, ``deltas = [torch.from_numpy(a).requires_grad_(True).to(device) for a in
accumulated]``, and returns ``list(map(operator.add, past, deltas))``. Each element is only an
operand of the addition the map applies: nobody asks whether it is a leaf or reads its ``.grad``
(the ``requires_grad_`` is pointless, but nothing is lost). A list read after the map (returned,
or its ``.grad`` read), a list handed to ``map`` with a function that is not an operator, and a
list bound inside the loop that reads it before still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD302"
case = case_maker(CODE)

HEAD = """\
from operator import add

import numpy as np
import torch


def perturb_past(score, past, accumulated, device, steps):
    for _ in range(steps):
        deltas = [torch.from_numpy(a).requires_grad_(True) for a in accumulated]
        loss = score(list(map(add, past, deltas)))
        loss.backward()
        accumulated = [a - 0.01 * d.grad.numpy() for a, d in zip(accumulated, deltas)]
"""

LAST = "    deltas = [torch.from_numpy(a).requires_grad_(True).to(device) for a in accumulated]  # MARK\n"


def _step(tail, marked=False):
    last = LAST.replace("  # MARK", "  # expect: GRD302" if marked else "")
    return HEAD + last + tail


POSITIVES = [
    case("returned-as-well", _step("    return list(map(add, past, deltas)), deltas\n", True), [13]),
    case("mapped-by-a-function", _step("    return list(map(score, past, deltas))\n", True), [13]),
    case(
        "grad-read-after",
        _step("    shifted = list(map(add, past, deltas))\n    return shifted, [d.grad for d in deltas]\n", True),
        [13],
    ),
]

NEGATIVES = [
    case("only-added", _step("    shifted = list(map(add, past, deltas))\n    return shifted\n")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
