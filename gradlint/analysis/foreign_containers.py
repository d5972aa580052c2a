"""Objects built by a library whose ``append`` the analysis cannot read.

``run_loss = CumulativeAverage(); ...; run_loss.append(loss)`` in a training loop (MONAI's
metric accumulator): ``append`` is the library class's method, not a list's. MONAI's detaches
what it is given and keeps a running sum; another class may keep the tensor, or only its
value. What such an object keeps is unknown, so a rule judging what a container holds across
iterations stays silent on it. A list, a deque (the standard library's containers keep what
they are given) and the project's own classes (whose methods the analysis reads) are known.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import per_node, walk

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
#: packages whose containers keep what ``append`` is given, as a list does
_KEEPING = ("collections", "queue", "builtins", "typing", "array")


def built_by_foreign_class(ctx, receiver: cst.CSTNode) -> bool:
    """``receiver`` is a name of the current scope whose every binding is a call of a class (or
    function) imported from a library, returning an object the analysis knows nothing of."""
    if type(receiver) is not cst.Name:
        return False
    scope: Optional[cst.CSTNode] = ctx.function if ctx.function is not None else ctx.module_node
    calls = _bound_calls(scope, receiver.value)
    return bool(calls) and all(_foreign_object(ctx, call) for call in calls)


def _bound_calls(scope, name: str) -> list:
    """The values bound to ``name`` by plain assignments in ``scope`` (not in nested functions or
    classes); an empty list when one binding is not a call (or ``name`` is bound otherwise: a
    loop target, a ``with ... as``, a parameter), which leaves the name's kind to the analysis."""
    if not isinstance(scope, (cst.FunctionDef, cst.Module)):
        return []
    return _scope_bindings(scope).get(name) or []


@per_node
def _scope_bindings(scope) -> dict:
    """name -> the calls plain assignments of ``scope`` bind it to, or None when some binding is not
    such a call (one walk per scope: a script appends to its lists thousands of times)."""
    bound: dict = {}
    if isinstance(scope, cst.FunctionDef):
        for name in _parameter_names(scope):
            bound[name] = None
    for node in walk(scope if isinstance(scope, cst.Module) else scope.body, _NESTED):
        if type(node) is cst.Assign:
            for target in node.targets:
                for inner in walk(target.target):
                    if type(inner) is not cst.Name:
                        continue
                    plain = target.target is inner and len(node.targets) == 1 and type(node.value) is cst.Call
                    if plain and bound.get(inner.value, []) is not None:
                        bound.setdefault(inner.value, []).append(node.value)
                    else:
                        bound[inner.value] = None
        elif type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.WithItem, cst.NamedExpr):
            target = getattr(node, "target", None) or getattr(getattr(node, "asname", None), "name", None)
            for inner in walk(target) if target is not None else ():
                if type(inner) is cst.Name:
                    bound[inner.value] = None
    return bound


def _parameter_names(function: cst.FunctionDef) -> set:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            names.add(extra.name.value)
    return names


def _foreign_object(ctx, call: cst.Call) -> bool:
    callee = ctx.value(call.func)
    if callee.kind != "ref" or not callee.qual:
        return False
    if callee.qual.split(".")[0] in _KEEPING or callee.qual.startswith("torch"):
        return False
    return ctx.value(call).kind == "unknown"
