"""Forwards that may run their layers without gradients, depending on how the module was built.

deepinv's ``BaseOptim.forward`` (ADMM, PnP and the other iterative solvers) runs
``with train_context:`` where ``train_context = torch.no_grad() if not self.unfold or self.DEQ else
nullcontext()``: an unfolded solver is trained, a plain one only reconstructs, and its output
requires no grad. Calling such a module in eval mode with grad enabled keeps no graph when it is not
unfolded, which the call does not tell: whether its output requires grad is not known.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, literal_bool, walk

_DISABLING = ("no_grad", "inference_mode")


def may_run_without_grad(function: cst.FunctionDef) -> bool:
    """The function enters a ``with`` whose context is a no-grad one on some paths only: an
    ``IfExp`` with ``torch.no_grad()`` in one arm, a name bound to one in some branch,
    ``torch.set_grad_enabled(flag)`` with a flag that is not a literal."""
    bound: dict = {}
    withs = []
    for node in walk(function.body):
        if type(node) is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            bound.setdefault(node.targets[0].target.value, []).append(node.value)
        elif type(node) is cst.With:
            withs.append(node)
    for node in withs:
        for item in node.items:
            context = item.item
            if type(context) is cst.Name:
                values = bound.get(context.value, [])
                if len(values) > 1 and any(_disables(value) for value in values):
                    return True
                if any(_conditional(value) for value in values):
                    return True
            elif _conditional(context):
                return True
    return False


def _conditional(node) -> bool:
    if type(node) is cst.IfExp:
        return _disables(node.body) or _disables(node.orelse)
    if type(node) is cst.Call and (dotted(node.func) or "").rsplit(".", 1)[-1] == "set_grad_enabled":
        return len(node.args) == 1 and literal_bool(node.args[0].value) is None
    return False


def _disables(node) -> bool:
    if type(node) is cst.IfExp:
        return _disables(node.body) or _disables(node.orelse)
    if type(node) is not cst.Call:
        return False
    name = (dotted(node.func) or "").rsplit(".", 1)[-1]
    return name in _DISABLING
