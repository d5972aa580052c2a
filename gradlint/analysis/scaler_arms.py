"""The arm of an ``if`` on which a GradScaler made only for mixed precision is None.

``self.grad_scaler = GradScaler() if use_amp else None`` (``Value.unless_none``), then
``if self.grad_scaler is not None: self.grad_scaler.scale(loss).backward() else: loss.backward()``
in a helper: on the arm where the scaler is None no scaler exists, so that arm says nothing about
whether gradients are left scaled in the configuration that has one (returnn #1590: the backward in
one method, the clip in another). That arm's end state decides no ``scaled`` (``State.no_grads``,
the flag a path with nothing to clip sets, is what the join of ``scaled`` reads): the other arm's
scaled backward holds on exit, as a scaled backward does when the scaler always exists.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst


def scaler_absent_arm(walker, test: cst.BaseExpression) -> Optional[bool]:
    """True when the ``if`` arm is the one where a scaler-or-None is None (``X is None``), False when the
    other is (``X is not None``), None when the test is no such test."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return None
    comparison = test.comparisons[0]
    comparator = comparison.comparator
    if type(comparator) is not cst.Name or comparator.value != "None":
        return None
    if type(comparison.operator) not in (cst.Is, cst.IsNot) or type(test.left) not in (cst.Name, cst.Attribute):
        return None
    value = walker.value(test.left)
    if value.kind != "unknown" or value.unless_none is None or value.unless_none.kind != "scaler":
        return None
    return type(comparison.operator) is cst.Is
