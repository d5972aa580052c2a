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
from .values import holds_graph

_GROWS = frozenset({"append", "extend", "insert"})
_BACKWARDS = frozenset({"backward", "manual_backward"})


def kept_for_update(ctx, scope, path: str, positions: frozenset = frozenset()) -> bool:
    """``path`` (``owner.field``) is read, not only grown, by another function of the file that
    calls ``backward()``: the field is the history of a later update. Unless that update takes the
    graph-holding items only through ``.detach()`` (PPO's ``states, actions, logprobs, rewards, dones =
    zip(*self.memory)`` then ``old_logprobs = torch.stack(logprobs).detach()``): then it does not go
    through the kept graphs, which only cost memory. ``positions``: those of the items of the tuple
    each step appends that hold a graph (see ``graph_positions``)."""
    if "." not in path or ctx.module_node is None:
        return False
    field = path.rsplit(".", 1)[1]
    for function in walk(ctx.module_node):
        if type(function) is not cst.FunctionDef or function is scope:
            continue
        if _reads(function, field) and _backpropagates(function):
            if positions and _only_detached(function, field, positions):
                continue
            return True
    return False


def graph_positions(ctx, added) -> frozenset:
    """The positions of an appended tuple's items known to hold a graph (empty: not a tuple, or
    none known), asked where it is appended."""
    if type(added) is not cst.Tuple or any(type(e) is not cst.Element for e in added.elements):
        return frozenset()
    return frozenset(index for index, element in enumerate(added.elements) if holds_graph(ctx.value(element.value)))


def _only_detached(function: cst.FunctionDef, field: str, positions: frozenset) -> bool:
    """The function unpacks the field by position (``a, b, c = zip(*self.field)``) and reads each
    name at a graph-holding position, until it binds the name anew, only inside a ``.detach()``."""
    visitor = _DetachedReads(field, positions)
    function.body.visit(visitor)
    return visitor.names is not None and not visitor.bare


class _DetachedReads(cst.CSTVisitor):
    """In source order: the unpacking of the field, then the reads of the names it binds."""

    def __init__(self, field: str, positions: frozenset) -> None:
        self.field, self.positions = field, positions
        self.names = None  # the names bound to graph-holding positions, once unpacked
        self.bare = False  # one of them read outside a .detach()
        self._detached = 0  # depth inside the receivers of .detach() calls

    def visit_Assign(self, node: cst.Assign) -> bool:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if self.names is None and type(target) in (cst.Tuple, cst.List) and _unzips(node.value, self.field):
            elements = target.elements
            if all(type(e.value) is cst.Name for e in elements) and max(self.positions) < len(elements):
                self.names = {elements[i].value.value for i in self.positions}
            else:
                self.bare = True  # unpacked in a way not followed
            return False
        if self.names:
            node.value.visit(self)
            for bound in node.targets:
                for name in walk(bound.target):
                    if type(name) is cst.Name:
                        self.names.discard(name.value)  # bound anew: later reads are another value's
            return False
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        if type(node.func) is cst.Attribute and node.func.attr.value == "detach":
            self._detached += 1
        return True

    def leave_Call(self, node: cst.Call) -> None:
        if type(node.func) is cst.Attribute and node.func.attr.value == "detach":
            self._detached -= 1

    def visit_Name(self, node: cst.Name) -> None:
        if self.names and node.value in self.names and not self._detached:
            self.bare = True


def _unzips(value, field: str) -> bool:
    """``zip(*self.field)`` (or ``zip(*field)``)."""
    if type(value) is not cst.Call or type(value.func) is not cst.Name or value.func.value != "zip":
        return False
    if len(value.args) != 1 or value.args[0].star != "*":
        return False
    target = value.args[0].value
    return type(target) is cst.Attribute and target.attr.value == field


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
