"""Classes whose constructor turns gradients off for the whole process.

An inference wrapper (an ``Evaler`` that loads a generator and writes its translations) often
calls ``torch.set_grad_enabled(False)`` as a statement of its ``__init__``. Unlike a ``with``
block, the switch is global and lasts: every other method of an object of the class runs after
it, without gradients, unless something turned them back on in between, which the analysis of
the method cannot see. Such methods start with the grad mode unknown (their rules stay silent),
not on.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, literal_bool

#: the spellings of the switch a constructor may call
_SWITCHES = frozenset({"set_grad_enabled", "torch.set_grad_enabled", "torch.autograd.set_grad_enabled"})


def constructor_disables_grad(cls) -> bool:
    """``cls.__init__`` calls ``torch.set_grad_enabled(False)`` unconditionally, in its own body."""
    init = cls.methods.get("__init__")
    if init is None or not isinstance(init.body, cst.IndentedBlock):
        return False
    for statement in init.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            if any(type(small) is cst.Expr and _turns_grad_off(small.value) for small in statement.body):
                return True
    return False


def _turns_grad_off(node: cst.BaseExpression) -> bool:
    if type(node) is not cst.Call or dotted(node.func) not in _SWITCHES or len(node.args) != 1:
        return False
    arg = node.args[0]
    return (arg.keyword is None or arg.keyword.value == "mode") and literal_bool(arg.value) is False
