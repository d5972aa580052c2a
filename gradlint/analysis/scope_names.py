"""Which scope a plain name of a function refers to.

``losses.append(loss)`` or ``global total; total += loss`` in a training function whose list or
counter is a module-level variable: the name is not the function's own, so what it holds
outlives every loop of the function (and every call of it).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .arguments import parameters
from .syntax import function_facts, per_node, walk

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def outlives_scope(function: Optional[cst.FunctionDef], name: str) -> bool:
    """``name`` in ``function`` is a variable of an enclosing scope: declared ``global`` or
    ``nonlocal``, or never bound in the function (nor a parameter of it)."""
    if function is None:
        return False
    if name in _declared(function):
        return True
    if name in function_facts(function).rebound:
        return False
    extras = (function.params.star_arg, function.params.star_kwarg)
    return all(param.name.value != name for param in parameters(function)) and not any(
        isinstance(extra, cst.Param) and extra.name.value == name for extra in extras
    )


@per_node
def _declared(function: cst.FunctionDef) -> frozenset:
    return frozenset(
        item.name.value
        for node in walk(function.body, _NESTED)
        if type(node) in (cst.Global, cst.Nonlocal)
        for item in node.names
    )
