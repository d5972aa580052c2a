"""The eval-mode arm of a module method's ``if self.training:``.

``if self.training: return self.loss(out, y)`` / ``else: boxes = self.regress(out); boxes[:, 0] =
boxes[:, 0].clamp(min=0)`` (pytorch-retinanet's forward): the else arm runs only when a caller switched
the model with ``eval()``, to predict, and such callers run it under ``torch.no_grad()`` as a rule. A
walk that does not know the model's mode (no caller gave ``self`` one) does not know the grad mode of
that arm either: gradients on there is the default of a function with no caller, not a fact, so the
rules that claim a failure at backward() stay silent in it.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst


def eval_arm(walker, test: cst.BaseExpression) -> Optional[bool]:
    """True when the body of ``if test:`` is the eval-mode arm of a method of a module class (``not
    self.training``), False when its ``else`` is (``self.training``), None otherwise."""
    cls = walker.current_class
    if cls is None or not cls.is_module or walker.function is None:
        return None
    negated = type(test) is cst.UnaryOperation and type(test.operator) is cst.Not
    flag = test.expression if negated else test
    if type(flag) is not cst.Attribute or flag.attr.value != "training":
        return None
    if type(flag.value) is not cst.Name or flag.value.value != "self":
        return None
    return negated


def walk_arm(walker, body, evaluating: bool) -> bool:
    """Walk an arm's body (whether it ends the function, as ``_body``); an eval-mode arm with the grad
    mode unknown, given back at its end (the statements after the ``if`` run in the mode they had before it)."""
    if not evaluating:
        return walker._body(body)
    walker.state.mode = None
    ended = walker._body(body)
    if walker.state.mode is None:
        walker.state.mode = True
    return ended
