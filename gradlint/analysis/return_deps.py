"""The graphs a project function's result holds through its arguments.

A value names the graphs it was computed from (``Value.deps``: the paths of the non-leaf grad tensors
it went through), in the names of the scope that computed it. A callee's result is seen by its caller
without them (``without_paths``), so ``l = loss(fc(x, W, b), y)`` with ``y`` a slice of a graph
``Y = X @ true_W + true_b`` built before the loop was not known to go through ``Y``: the loop's
backward() frees that graph in its first iteration and raises "Trying to backward through the graph a
second time" in the next (the d2l-style notebook of corpus_threads3 p19). The callee's result keeps
the parameters it was computed from; the call gives it the graphs its arguments hold, in the caller's
names.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

import libcst as cst

from .arguments import parameters
from .values import Value, add_deps, all_deps, join_all


def parameter_deps(returns: Iterable[Value], function: cst.FunctionDef) -> frozenset:
    """The parameters of ``function`` whose graphs what it returns went through."""
    returns = list(returns)
    if not returns:
        return frozenset()
    deps = all_deps(join_all(returns))
    if not deps:
        return frozenset()
    names = {param.name.value for param in parameters(function)}
    return frozenset(name for name in names if any(_names_param(dep, name) for dep in deps))


def through_arguments(result: Value, returns_from: frozenset, bound: Optional[Dict[str, Value]], renames: dict) -> Value:
    """``result`` with the graphs the arguments given for ``returns_from`` hold, in the caller's names."""
    if not returns_from or bound is None or result.kind != "tensor" or result.grad is not True:
        return result
    deps = set()
    for name in returns_from:
        value = bound.get(name)
        if value is None or value.kind != "tensor" or value.grad is not True:
            continue
        deps |= value.deps
        path = renames.get(name)
        if path and path != "self" and value.leaf is False:
            deps.add(path)
    return add_deps(result, frozenset(deps)) if deps else result


def _names_param(dep: str, name: str) -> bool:
    return dep == name or dep.startswith(name + ".") or dep.startswith(name + "[")
