"""GRD501 and a loop that clears a tensor's gradient by hand, the way ``Optimizer.zero_grad`` once
did: ``w.grad.detach_()`` then ``w.grad.zero_()`` after each step. ``detach_()`` bound the path
``w.grad`` to what it gives; the join at the loop's head (the entry had no such path) made it
unknown, and ``zero_()`` of an unknown receiver cleared nothing, so the loop looked like one that
never clears. Only a gradient is read as ``X.grad``, and zeroing it in place clears it. A loop
that only detaches the gradient (its values stay, the next backward() adds to them) still
reports (checked with torch 2.13: the gradient doubles).
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)

FIT = """\
import torch


def fit_offsets(target, steps):
    offsets = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.Adam([offsets], lr=0.1)
    for _ in range(steps):
        loss = ((offsets - target) ** 2).sum()
        loss.backward()
        optimizer.step()  # MARK
        offsets.grad.detach_()
{clear}    return offsets
"""

POSITIVES = [
    case("detached-but-never-zeroed", FIT.replace("{clear}", "").replace("# MARK", "# expect: GRD501"), [10]),
]

NEGATIVES = [
    case("detached-then-zeroed", FIT.replace("{clear}", "        offsets.grad.zero_()\n").replace("  # MARK", "")),
    case("detached-then-filled", FIT.replace("{clear}", "        offsets.grad.fill_(0.0)\n").replace("  # MARK", "")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
