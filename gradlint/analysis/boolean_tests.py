"""The truth of ``a and b`` / ``a or b`` from the truths of its operands.

``if keep is not None and keep: x.retain_grad()`` in a forward called as ``model(x)`` (``keep=None``
by default): the walk knows ``keep is not None`` is False for that call (``branch_tests.none_test``),
so the whole test is, and only the other branch runs. Python's short circuit does not matter for
the truth: ``False and <anything>`` is falsy, ``True or <anything>`` truthy; with one operand unknown
the test stays unknown unless the other decides it.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from .values import Tri


def boolean_truth(test: cst.BooleanOperation, truth_of: Callable) -> Tri:
    """``truth_of(operand)``: the walk's truth of one operand (None when unknown)."""
    left = truth_of(test.left)
    if type(test.operator) is cst.And:
        if left is False:
            return False
        right = truth_of(test.right)
        if right is False:
            return False
        return True if left is True and right is True else None
    if left is True:
        return True
    right = truth_of(test.right)
    if right is True:
        return True
    return False if left is False and right is False else None
