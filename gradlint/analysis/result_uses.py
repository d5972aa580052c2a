"""Whether some caller backpropagates what a function returns (a syntactic scan).

A helper that runs a model over the chunks of a batch, collects their losses and returns
``torch.stack(losses).mean()`` calls no ``backward()`` itself: its caller does
(``batch_loss(model, chunks).backward()``, or ``loss = batch_loss(...) + reg`` then
``loss.backward()``). What the helper's loop collected is then the graph of one training step,
not the history of an evaluation loop. The scan looks at every scope (the module's own
statements, each function and method) that calls the helper by name, follows the names its
result is assigned to, and asks whether a ``backward()`` receives one of them. Matching loosely
only makes the rule asking more silent.
"""

from __future__ import annotations

from typing import Iterable, Set

import libcst as cst

from .callers import caller_texts
from .parsed import parse
from .syntax import walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def backpropagated_by_callers(ctx, name: str) -> bool:
    """A caller in the walked file, or in a file of the project that calls into it
    (``callers``), backpropagates what ``name`` returns."""
    modules = [ctx.module_node] if ctx.module_node is not None else []
    if ctx.path:
        for text in caller_texts(ctx.path, ctx.source):
            try:
                modules.append(parse(text))
            except Exception:  # a caller that does not parse tells nothing
                continue
    return result_backpropagated(modules, name)


def result_backpropagated(modules: Iterable[cst.Module], name: str) -> bool:
    """Some scope of ``modules`` calls ``name`` (``name(...)``, ``self.name(...)``,
    ``helpers.name(...)``) and backpropagates a value computed from the call's result."""
    for module in modules:
        scopes = [module] + [node for node in walk(module) if type(node) is cst.FunctionDef]
        for scope in scopes:
            body = scope.body if type(scope) is cst.FunctionDef else scope
            nodes = list(walk(body, prune=_SCOPES))
            calls = {id(node) for node in nodes if type(node) is cst.Call and _callee_name(node.func) == name}
            if calls and _backprops(nodes, calls):
                return True
    return False


def _callee_name(func: cst.BaseExpression) -> str:
    if type(func) is cst.Name:
        return func.value
    if type(func) is cst.Attribute:
        return func.attr.value
    return ""


def _backprops(nodes: list, calls: Set[int]) -> bool:
    """A ``backward()`` of this scope receives a call's result, or a name bound from one."""
    carriers: Set[str] = set()
    changed = True
    while changed:  # `out = helper(x)`, `loss = out["loss"] + reg`: follow the names
        changed = False
        for node in nodes:
            if type(node) is cst.Assign:
                targets = [target.target for target in node.targets]
            elif type(node) in (cst.AugAssign, cst.AnnAssign) and node.value is not None:
                targets = [node.target]  # `total += helper(x)`
            else:
                continue
            if not _carries(node.value, calls, carriers):
                continue
            for target in targets:
                for part in walk(target):
                    if type(part) is cst.Name and part.value not in carriers:
                        carriers.add(part.value)
                        changed = True
    for node in nodes:
        if type(node) is not cst.Call or type(node.func) is not cst.Attribute:
            continue
        method = node.func.attr.value
        if method == "backward" and _carries(node.func.value, calls, carriers):
            return True  # `loss.backward()`, `scaler.scale(loss).backward()`, `(a + b).backward()`
        if method in ("backward", "manual_backward") and any(_carries(arg.value, calls, carriers) for arg in node.args):
            return True  # `accelerator.backward(loss)`, `self.manual_backward(loss)`
    return False


def _carries(expression: cst.CSTNode, calls: Set[int], carriers: Set[str]) -> bool:
    for part in walk(expression):
        if id(part) in calls or type(part) is cst.Name and part.value in carriers:
            return True
    return False

