"""Running totals and means written as a rebinding (GRD502).

``total = total + loss`` keeps the previous total in the new one, and so does a running mean or an
exponential average that scales either part: ``avg = loss / (n + 1) + avg * n / (n + 1)``,
``avg = (avg * n + loss) / (n + 1)``, ``ema = 0.9 * ema + 0.1 * loss``. Each iteration's value is
computed from the last, so a graph added once stays reachable from every later total: the history a
``+=`` keeps. A factor that mentions the target (``avg = avg * avg + x``) is no scaling; a
subtraction (``x = x - lr * g``) is an update, not a total.
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

import libcst as cst

from . import dotted
from .syntax import walk

_SCALING = (cst.Multiply, cst.Divide)


def _mentions(node, path: str) -> bool:
    return any(dotted(n) == path for n in walk(node) if type(n) in (cst.Name, cst.Attribute))


def _unscaled(node, path: str):
    """The operand a product or quotient by factors free of ``path`` scales (``avg * n / (n + 1)``
    gives ``avg``), or ``node`` itself."""
    while type(node) is cst.BinaryOperation and type(node.operator) in _SCALING:
        if not _mentions(node.right, path):
            node = node.left
        elif type(node.operator) is cst.Multiply and not _mentions(node.left, path):
            node = node.right  # `0.9 * ema`; a divisor holding the target is not a scale
        else:
            break
    return node


def accumulating_arms(path: Optional[str], value) -> Iterator[Tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``(sum, added)`` for each sum of ``value`` that adds ``added`` to the (scaled) old value of
    ``path``: both arms of ``total = loss if total is None else total + loss`` (RecBole #307)."""
    if path is None:
        return
    arms = (value.body, value.orelse) if type(value) is cst.IfExp else (value,)
    for arm in arms:
        arm = _unscaled(arm, path)
        if type(arm) is not cst.BinaryOperation or type(arm.operator) is not cst.Add:
            continue
        for mine, added in ((arm.left, arm.right), (arm.right, arm.left)):
            if dotted(_unscaled(mine, path)) == path:
                yield arm, added
