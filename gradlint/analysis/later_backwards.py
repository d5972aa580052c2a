"""Forwards of a loop whose results a backward() after the loop differentiates.

    out = weights[0] * models[0](x)
    for i in range(1, len(models)):
        out += weights[i] * models[i](x)    # each model's graph is kept on purpose ...
    loss = F.cross_entropy(out, y)
    loss.backward()                         # ... for this backward(), after the loop

An ensemble attack sums its models' logits in a loop over the models and backpropagates the sum
once: the loop runs no backward() of its own, yet its forwards need grad mode (no_grad around the
loop would break the attack). The statements after the loop are followed in its block, then in the
blocks around it while these are an ``if`` arm, a ``with`` or a ``try`` body (which run on into the
statements after them), up to the enclosing loop or function: a loop enclosing this one judges the
backward() calls of its own iterations. A name the loop bound to a forward's result, and any name
then computed from it, counts when a ``.backward()`` or ``autograd.grad()`` of it follows.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable

import libcst as cst

from .syntax import dotted, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_RUNS_ON = (cst.If, cst.With, cst.Try)
_BINDINGS = (cst.Assign, cst.AugAssign, cst.AnnAssign)


def fed_to_later_backward(loop: cst.CSTNode, blocks: list, calls: Iterable[cst.CSTNode]) -> FrozenSet[int]:
    """Ids of ``calls`` (forwards in ``loop``) whose result a backward() after the loop differentiates;
    ``blocks``: the walker's stack of (statements, index) at the loop statement."""
    wanted = {id(call) for call in calls}
    level = next((at for at in range(len(blocks) - 1, -1, -1) if blocks[at][0][blocks[at][1]] is loop), None)
    if not wanted or level is None:
        return frozenset()
    carried: Dict[str, set] = {}
    for node in walk(loop.body, _SCOPES):
        if type(node) in _BINDINGS and node.value is not None:
            ran = {id(inner) for inner in walk(node.value, _SCOPES)} & wanted
            for name in _targets(node) if ran else ():
                carried.setdefault(name, set()).update(ran)
    found: set = set()
    while carried and level >= 0:
        statements, index = blocks[level]
        for stmt in statements[index + 1 :]:
            for node in walk(stmt, _SCOPES):
                if type(node) in _BINDINGS and node.value is not None:
                    ran = set().union(*(carried.get(name, ()) for name in _names(node.value)))
                    for name in _targets(node) if ran else ():
                        carried.setdefault(name, set()).update(ran)
                elif type(node) is cst.Call:
                    for name in _differentiated(node):
                        found.update(carried.get(name, ()))
        level -= 1
        if level < 0 or not isinstance(blocks[level][0][blocks[level][1]], _RUNS_ON):
            break
    return frozenset(found)


def _targets(node) -> list:
    targets = [t.target for t in node.targets] if type(node) is cst.Assign else [node.target]
    return [name for target in targets for name in _names(target)]


def _names(node) -> set:
    return {inner.value for inner in walk(node, _SCOPES) if type(inner) is cst.Name}


def _differentiated(call: cst.Call) -> set:
    """The names of what ``x.backward()`` / ``torch.autograd.grad(x, ...)`` differentiates."""
    func = call.func
    if type(func) is not cst.Attribute:
        return set()
    owner = dotted(func.value) or ""
    if owner.endswith("autograd") and func.attr.value in ("backward", "grad"):
        return _names(call.args[0].value) if call.args else set()
    return _names(func.value) if func.attr.value == "backward" else set()
