"""Closures a loop runs in each iteration, and the graphs of the enclosing scope their backward() reuses.

``target = vgg(content)`` before ``for i in range(n): def closure(): ...; loss = mse(vgg(x), target);
loss.backward(); ...; optimizer.step(closure)`` (neural style transfer with L-BFGS): the closure's body
is walked as a scope of its own (``loop_closures``), so its backward() is in no loop of the walk and
the graph it frees is not seen freed again. Yet the loop runs it once per iteration (L-BFGS several
times per step), and ``target``'s graph, built once outside, is freed by the first call: every later
call raises "Trying to backward through the graph a second time". Asked by GRD504.

Only a function defined in the loop's body, or earlier in the same scope, that the loop's body runs by
name (``closure()`` or ``x.step(closure)``); the enclosing names it backpropagates through are those
the loop's own body does not bind again (a name bound in each iteration holds that iteration's graph).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

import libcst as cst

from .loop_closures import runs_and_binds
from .syntax import per_node, target_names, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_LOOPS = (cst.For, cst.While)


@per_node
def closures_run_per_iteration(module: cst.Module) -> Dict[int, Tuple[cst.CSTNode, FrozenSet[str]]]:
    """``id(def)`` of each function a loop runs by name -> (the scope the function and the loop are
    in, the names the loop's body binds again in each iteration)."""
    found: Dict[int, Tuple[cst.CSTNode, FrozenSet[str]]] = {}
    for scope, defined in _defs_by_scope(module).items():
        body = scope.body if type(scope) is cst.FunctionDef else scope
        for loop in walk(body, prune=_SCOPES):
            if type(loop) in _LOOPS:
                run, rebound = runs_and_binds(loop, augmented=True)
                for name in run:
                    function = defined.get(name)
                    if function is not None:
                        found[id(function)] = (scope, frozenset(rebound))
    return found


def _defs_by_scope(module: cst.Module) -> dict:
    """scope (the module or a def) -> {name: def} of the defs whose nearest enclosing def is that scope
    (for the module, the defs outside any def, methods aside)."""
    scopes: dict = {}
    stack = [(module, module)]
    while stack:
        node, scope = stack.pop()
        for child in node.children:
            if type(child) is cst.FunctionDef:
                scopes.setdefault(scope, {})[child.name.value] = child
                stack.append((child, child))
            elif type(child) not in (cst.ClassDef, cst.Lambda):
                stack.append((child, scope))
    return scopes


def bound_in(function: cst.FunctionDef) -> FrozenSet[str]:
    """The names the function's own body binds (its locals, fresh at each call) and its parameters,
    with the targets of its comprehensions (``for a, A in enumerate(out)``: fresh at each call too)."""
    names = {param.name.value for param in function.params.params}
    for node in walk(function.body, prune=_SCOPES):
        node_type = type(node)
        if node_type is cst.Assign:
            for target in node.targets:
                names |= target_names(target.target)
        elif node_type in (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr):
            names |= target_names(node.target)
    return frozenset(names)
