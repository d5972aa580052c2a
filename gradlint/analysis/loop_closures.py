"""Closures a loop runs in each of its iterations, and the names of the enclosing scope they carry.

``for x, y in batches: def closure(): nonlocal total; ...; total += loss; return loss`` then
``optimizer.step(closure)``: the closure's body is walked as a scope of its own, after its
enclosing function, so its statements are in no loop of the walk. Yet the loop runs it once per
iteration (an LBFGS ``step`` even several times), so what it adds to a ``nonlocal`` or ``global``
name accumulates across the iterations of that loop, as ``total += loss`` in the loop's own body
would. A name the loop's own body binds again (``total = 0`` in each iteration) starts afresh.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

import libcst as cst

from .result_uses import holds_graph
from .scope_names import outlives_scope
from .source_order import contains
from .syntax import base_path, module_nodes, own_nodes, per_node, target_names, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_LOOPS = (cst.For, cst.While)
#: a statement never sits inside an expression (a lambda's body is one): a walk for statements stops there
_NOT_STATEMENTS = _SCOPES + (cst.BaseExpression,)


@per_node
def closures_per_iteration(module: cst.Module) -> Dict[int, FrozenSet[str]]:
    """``id(def)`` of each function defined in a loop's body and run by that loop (``name()`` or
    ``x.step(name)``) -> the ``nonlocal``/``global`` names it declares that the loop carries over
    from one iteration to the next (not bound again by the loop's own body)."""
    found: Dict[int, FrozenSet[str]] = {}
    functions, declares = [], False
    for node in walk(module):
        node_type = type(node)
        if node_type is cst.FunctionDef:
            functions.append(node)
        elif node_type is cst.Nonlocal or node_type is cst.Global:
            declares = True
    if not declares:
        return found  # no closure carries a name: most modules (their loops are not walked again)
    scopes = [module] + functions
    for scope in scopes:
        # an enclosing loop comes before the loops nested in it: the innermost loop that runs a
        # closure has the last word (a name it binds again starts afresh in each of its iterations)
        for loop in walk(scope, prune=_SCOPES):
            if type(loop) in _LOOPS:
                _closures_of(loop, found)
    return {key: names for key, names in found.items() if names}


@per_node
def declares_outer_names(function: cst.FunctionDef) -> bool:
    """Whether the function's own body (not its nested scopes) holds a ``nonlocal`` or ``global``
    statement: only such a function is in ``closures_per_iteration``'s answer."""
    return any(type(node) in (cst.Nonlocal, cst.Global) for node in walk(function.body, prune=_NOT_STATEMENTS))


def _closures_of(loop, found: Dict[int, FrozenSet[str]]) -> None:
    defined = [node for node in walk(loop.body, prune=_SCOPES[1:]) if type(node) is cst.FunctionDef]
    # the outermost definitions only: a def nested in another belongs to that one's scope
    defined = [node for node in defined if not any(node is not other and contains(other, node) for other in defined)]
    if not defined:
        return
    run, rebound = runs_and_binds(loop)
    for function in defined:
        if function.name.value not in run:
            continue
        declared = {
            item.name.value
            for node in walk(function.body, prune=_SCOPES)
            if type(node) in (cst.Nonlocal, cst.Global)
            for item in node.names
        }
        found[id(function)] = frozenset(declared - rebound)


def runs_and_binds(loop, augmented: bool = False) -> Tuple[set, set]:
    """The functions the loop's body runs by name (``closure()``, ``optimizer.step(closure)``) and the
    names it binds again in each iteration; with ``augmented``, also the targets of ``+=`` and the
    loop's own target."""
    run, rebound = set(), set()
    bound_types = (cst.AnnAssign, cst.For, cst.AugAssign) if augmented else (cst.AnnAssign, cst.For)
    for node in walk(loop.body, prune=_SCOPES):
        node_type = type(node)
        if node_type is cst.Call:
            if type(node.func) is cst.Name:
                run.add(node.func.value)
            elif type(node.func) is cst.Attribute and node.func.attr.value == "step":
                run.update(arg.value.value for arg in node.args if type(arg.value) is cst.Name)
        elif node_type is cst.Assign:
            for target in node.targets:
                rebound |= target_names(target.target)
        elif node_type in bound_types:
            rebound |= target_names(node.target)
    if augmented and type(loop) is cst.For:
        rebound |= target_names(loop.target)
    return run, rebound


@per_node
def closures_run_by_loops(module: cst.Module) -> Dict[int, FrozenSet[str]]:
    """``id(def)`` of each function defined in another one and run by a loop of that one in each
    iteration, wherever the def stands (``def closure(): ...`` before ``for ...:
    optimizer.step(closure)``, a nested ``one_step()`` the loop calls) -> the names every such
    loop binds again in each of its iterations. What the closure appends to a list or a field of
    the enclosing scope (``self.losses.append(loss)``) outlives its call and each iteration."""
    found: Dict[int, FrozenSet[str]] = {}
    for outer in module_nodes(module).of(cst.FunctionDef):
        own = own_nodes(outer)
        nested = [node for node in own.nested if type(node) is cst.FunctionDef]
        if not nested:
            continue  # most functions: their loops are not walked again
        for loop in own.of(cst.For) + own.of(cst.While):
            run, rebound = runs_and_binds(loop)
            for function in nested:
                if function.name.value in run:
                    kept = found.get(id(function))
                    found[id(function)] = frozenset(rebound if kept is None else kept & rebound)
    return found


def _carried(ctx, function: cst.FunctionDef, path: str) -> bool:
    """``path`` outlives each run of ``function``: a name it declares carried by the loop that runs
    it, or a list or field of its enclosing scope (``losses``, ``self.losses``) that no loop running
    it binds again."""
    if declares_outer_names(function) and path in closures_per_iteration(ctx.module_node).get(id(function), ()):
        return True
    rebound = closures_run_by_loops(ctx.module_node).get(id(function))
    base = path.split(".", 1)[0]
    return rebound is not None and base not in rebound and path not in rebound and outlives_scope(function, base)


class ClosureTotals:
    """GRD502's bookkeeping for closures run per iteration: what their walks add to a carried name,
    and what they backpropagate. A closure that backpropagates something else than the total is a
    training step its loop repeats: the total keeps every iteration's graph."""

    def __init__(self):
        self._candidates: list = []  # (function, node, path, added)
        self._backwards: list = []  # (function, receiver path)

    def consider(self, ctx, node, path: str, added) -> bool:
        """Whether ``path`` is a name the current function, a closure run per iteration, carries."""
        function = ctx.function
        if function is None or not _carried(ctx, function, path):
            return False
        if ctx.grad_enabled is True and holds_graph(ctx.value(added)):
            self._candidates.append((function, node, path, added))
        return True

    def backward(self, ctx, receiver) -> None:
        self._backwards.append((ctx.function, base_path(receiver)))

    def finish(self, function) -> list:
        """``(node, path, added)`` of the accumulations to report at the end of ``function``'s walk."""
        found = [
            (node, path, added)
            for owner, node, path, added in self._candidates
            if owner is function and any(f is function and receiver != path for f, receiver in self._backwards)
        ]
        self._candidates = [c for c in self._candidates if c[0] is not function]
        self._backwards = [b for b in self._backwards if b[0] is not function]
        return found
