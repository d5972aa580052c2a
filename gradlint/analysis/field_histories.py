"""Histories an object keeps for an update another function makes.

``model.saved_actions.append(SavedAction(m.log_prob(action), value))`` in the steps of an episode
(``select_action(state)``, a generator of steps), then ``finish_episode()`` reading
``model.saved_actions`` into the policy and value losses it backpropagates, and clearing it: the
actor-critic and REINFORCE pattern. The loop that collects never calls ``backward()`` itself, so
GRD502 would take it for an evaluation loop keeping every graph; but each graph is kept for the
update, which goes through all of them.
"""

from __future__ import annotations

import libcst as cst

from .syntax import walk

_GROWS = frozenset({"append", "extend", "insert"})
_BACKWARDS = frozenset({"backward", "manual_backward"})


def kept_for_update(ctx, scope, path: str) -> bool:
    """``path`` (``owner.field``) is read, not only grown, by another function of the file that
    calls ``backward()``: the field is the history of a later update."""
    if "." not in path or ctx.module_node is None:
        return False
    field = path.rsplit(".", 1)[1]
    for function in walk(ctx.module_node):
        if type(function) is not cst.FunctionDef or function is scope:
            continue
        if _reads(function, field) and _backpropagates(function):
            return True
    return False


def _reads(function: cst.FunctionDef, field: str) -> bool:
    grown = set()
    reads = []
    for node in walk(function.body):
        if type(node) is cst.Attribute and node.attr.value in _GROWS and type(node.value) is cst.Attribute:
            grown.add(id(node.value))
        elif type(node) is cst.Attribute and node.attr.value == field:
            reads.append(node)
    return any(id(node) not in grown for node in reads)


def _backpropagates(function: cst.FunctionDef) -> bool:
    return any(
        type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _BACKWARDS
        for node in walk(function.body)
    )
