"""Histories an object keeps for an update another function makes.

``model.saved_actions.append(SavedAction(m.log_prob(action), value))`` in the steps of an episode
(``select_action(state)``, a generator of steps), then ``finish_episode()`` reading
``model.saved_actions`` into the policy and value losses it backpropagates, and clearing it: the
actor-critic and REINFORCE pattern. The loop that collects never calls ``backward()`` itself, so
GRD502 would take it for an evaluation loop keeping every graph; but each graph is kept for the
update, which goes through all of them.

The update may be split over methods of the collecting object: after the episode loop,
``loss = self.episode_loss()`` reads the fields (through helpers of its own) and
``self.apply_update(loss)`` backpropagates (an A3C worker's ``run``). Calls ``self.name(...)`` are
followed into the methods of the class, a few levels deep.
"""

from __future__ import annotations

import libcst as cst

from .syntax import walk
from .value_paths import holds_graph

_GROWS = frozenset({"append", "extend", "insert"})
_BACKWARDS = frozenset({"backward", "manual_backward"})


def kept_for_update(ctx, scope, path: str, positions: frozenset = frozenset(), found=None) -> bool:
    """``path`` (``owner.field``) is read, not only grown, by another function of the file that
    calls ``backward()``: the field is the history of a later update. Unless that update takes the
    graph-holding items only through ``.detach()`` (PPO's ``states, actions, logprobs, rewards, dones =
    zip(*self.memory)`` then ``old_logprobs = torch.stack(logprobs).detach()``): then it does not go
    through the kept graphs, which only cost memory. ``positions``: those of the items of the tuple
    each step appends that hold a graph (see ``graph_positions``)."""
    if "." not in path or ctx.module_node is None:
        return False
    field = path.rsplit(".", 1)[1]
    methods = _methods_by_function(ctx.module_node)

    def takes_graphs(function, field):  # reads the field, and not only the detached items of it
        return _reads_value(function, field) and not (positions and _only_detached(function, field, positions))

    for function in walk(ctx.module_node):
        if type(function) is not cst.FunctionDef or function is scope:
            continue
        if _reads(function, field) and _backpropagates(function):
            if positions and _only_detached(function, field, positions):
                continue
            return True
        own = methods.get(id(function))
        if own and _feeds_update(function, own, field, takes_graphs, scope, None):
            return True  # `def learn(self): self.apply_update(self.episode_loss())`
    own = methods.get(id(scope))
    # the collecting method itself, after the accumulation (an update made before the loop does
    # not take this history)
    return bool(own) and found is not None and _feeds_update(scope, own, field, takes_graphs, scope, found)


def _feeds_update(function, methods: dict, field: str, takes_graphs, scope, found) -> bool:
    """``function`` (after ``found``, when given) passes what a method of its class computes from
    the field (``loss = self.episode_loss()``) to a ``backward()`` or to a method that backpropagates
    (``self.apply_update(loss)``). The collecting method ``scope`` is not followed: its appends and
    resets are no reads."""
    reach: dict = {}

    def reaches(method, test) -> bool:
        key = (id(method), test)
        if key not in reach:
            reach[key] = _reaches(method, methods, field, test, seen={id(scope)})
        return reach[key]

    visitor = _Update(found, methods, lambda m: reaches(m, takes_graphs), lambda m: reaches(m, _backprops_field))
    function.body.visit(visitor)
    return visitor.fed


def _reads_value(function: cst.FunctionDef, field: str) -> bool:
    """``_reads``, not counting a store of the field (``self.values = []`` starts it afresh)."""
    stored = {
        id(target.target) for node in walk(function.body) if type(node) is cst.Assign for target in node.targets
    }
    return _reads(function, field, stored)


def _backprops_field(function: cst.FunctionDef, field: str) -> bool:
    return _backpropagates(function)


def _methods_by_function(module) -> dict:
    """id(method) -> {name: method} of its class (the methods a ``self.name(...)`` there may call)."""
    found = {}
    for node in walk(module):
        if type(node) is cst.ClassDef and type(node.body) is cst.IndentedBlock:
            own = {s.name.value: s for s in node.body.body if type(s) is cst.FunctionDef}
            found.update((id(method), own) for method in own.values())
    return found


def _method_called(call: cst.Call, methods: dict):
    func = call.func
    if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "self":
        return methods.get(func.attr.value)
    return None


def _reaches(function: cst.FunctionDef, methods: dict, field: str, test, depth: int = 4, seen=None) -> bool:
    """``test(method, field)`` holds for ``function`` or a method of its class it calls through ``self``."""
    seen = set() if seen is None else seen
    if id(function) in seen:
        return False
    seen.add(id(function))
    if test(function, field):
        return True
    if depth == 0:
        return False
    for node in walk(function.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.Call:
            method = _method_called(node, methods)
            if method is not None and _reaches(method, methods, field, test, depth - 1, seen):
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


def _reads(function: cst.FunctionDef, field: str, stored=frozenset()) -> bool:
    grown = set()
    reads = []
    for node in walk(function.body):
        if type(node) is cst.Attribute and node.attr.value in _GROWS and type(node.value) is cst.Attribute:
            grown.add(id(node.value))
        elif type(node) is cst.Attribute and node.attr.value == field and id(node) not in stored:
            reads.append(node)
    return any(id(node) not in grown for node in reads)


def _backpropagates(function: cst.FunctionDef) -> bool:
    return any(
        type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _BACKWARDS
        for node in walk(function.body)
    )


class _Update(cst.CSTVisitor):
    """In source order, after ``found`` (from the start when None): the names bound to what a
    reading method returned, and whether such a value reaches a ``backward()`` or an argument of a
    method that backpropagates."""

    def __init__(self, found, methods: dict, reads, backprops) -> None:
        self.found, self.methods, self.reads, self.backprops = found, methods, reads, backprops
        self.seen = found is None
        self.names: set = set()
        self.fed = False

    def visit_FunctionDef(self, node) -> bool:
        return False  # a nested function runs when called, not here

    def _computed(self, node) -> bool:
        for inner in walk(node):
            if type(inner) is cst.Name and inner.value in self.names:
                return True
            if type(inner) is cst.Call:
                method = _method_called(inner, self.methods)
                if method is not None and self.reads(method):
                    return True
        return False

    def leave_Assign(self, node: cst.Assign) -> None:
        if self.seen and self._computed(node.value):
            self.names.update(n.value for t in node.targets for n in walk(t.target) if type(n) is cst.Name)

    def leave_Call(self, node: cst.Call) -> None:
        if not self.seen or self.fed:
            return
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in _BACKWARDS:
            self.fed = self._computed(func.value)
            return
        method = _method_called(node, self.methods)
        if method is not None and self.backprops(method):
            self.fed = any(self._computed(arg.value) for arg in node.args)

    def on_leave(self, original_node) -> None:
        super().on_leave(original_node)
        if original_node is self.found:
            self.seen = True
