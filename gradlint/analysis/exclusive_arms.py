"""Statements that never run in the same pass through a loop body: the two arms of one ``if``.

``for epoch in range(n): if epoch == n - 1: model.eval(); <evaluation loop> else: <training
loop with backward()>``: the backward() of the ``else`` arm comes after the evaluation loop in
the source, but it never backpropagates what that loop computed in the same iteration.
"""

import libcst as cst

from .syntax import walk


def _arm_ids(arm) -> frozenset:
    return frozenset(id(node) for node in walk(arm)) if arm is not None else frozenset()


def in_other_arm(root: cst.CSTNode, first: cst.CSTNode, second: cst.CSTNode) -> bool:
    """``first`` and ``second`` lie in different arms of one ``if`` statement under ``root``
    (its body and its ``elif`` / ``else`` part): one pass runs at most one of them."""
    for node in walk(root):
        if type(node) is not cst.If or node.orelse is None:
            continue
        body = _arm_ids(node.body)
        if id(first) not in body and id(second) not in body:
            continue
        other = _arm_ids(node.orelse)
        if (id(first) in body and id(second) in other) or (id(second) in body and id(first) in other):
            return True
    return False
