"""Fields of a field: a rollout memory object that one method fills and another reads.

Reinforcement-learning agents keep their episode in an object of a class of their own:
``self.memory = Memory()`` in ``__init__``, ``act()`` stores each step's value and log-probability in
it (``self.memory.log_probs.append(dist.log_prob(a))``, or through a method of its own,
``self.memory.store(value, log_prob)``), and ``update()`` reads them back (``torch.stack(
self.memory.log_probs)``) to build the loss. ``Fields`` joins what one method stores into ``self.X``
with what another reads; this does the same one level down, for ``self.X.Y`` where ``self.X`` is an
instance of a plain class of the project (``__init__`` made it, so its own fields are known):
each method that fills such a field (directly, or by calling a method on ``self.X`` with arguments)
is walked silently once, and the lists and dicts it leaves in ``self.X.Y`` are joined, in every
method, with what ``X``'s own ``__init__`` put there.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Tuple

import libcst as cst

from .syntax import MUTATORS, _self_field, own_nodes, per_node
from .values import STRING, ClassInfo, Value, join_all
from .value_paths import without_paths

#: kinds of value kept for a field of a field: the containers a memory object fills
_CONTAINERS = ("seq", "dict")


def _field_of_field(node) -> Tuple[str, str]:
    """(X, Y) of ``self.X.Y`` (also under ``self.X.Y[...]``), else ("", "")."""
    while type(node) is cst.Subscript:
        node = node.value
    if type(node) is not cst.Attribute or type(node.value) is not cst.Attribute:
        return "", ""
    owner = node.value
    if type(owner.value) is cst.Name and owner.value.value == "self":
        return owner.attr.value, node.attr.value
    return "", ""


@per_node
def filled_field_owners(function: cst.FunctionDef) -> FrozenSet[str]:
    """The fields ``X`` whose own fields ``function`` may fill: ``self.X.Y.append(v)``, ``self.X.Y[k] = v``,
    ``self.X.Y = v``, or a method of ``self.X`` called with arguments (``self.X.store(v)``)."""
    nodes = own_nodes(function)
    owners = set()
    for call in nodes.of(cst.Call):
        func = call.func
        if type(func) is not cst.Attribute:
            continue
        if func.attr.value in MUTATORS and call.args:
            owners.add(_field_of_field(func.value)[0])
        elif call.args:
            owners.add(_self_field(func.value))
    for assign in nodes.of(cst.Assign):
        for target in assign.targets:
            owners.add(_field_of_field(target.target)[0])
    owners.discard("")
    return frozenset(owners)


def self_fields(env) -> Tuple[Dict[str, Value], Dict[str, Value]]:
    """What a walk left in ``self``: (field -> value, "X.Y" -> the list or dict in ``self.X.Y``). A
    literal string is kept (``self.pnet_type = pnet_type`` given "vgg"): known to hold no tensor or
    module (``frozen_fields``)."""
    fields: Dict[str, Value] = {}
    nested: Dict[str, Value] = {}
    for key, value in env.items():
        if not key.startswith("self.") or value.kind == "unknown" and not value.qual.startswith(STRING):
            continue
        dots = key.count(".")
        if dots == 1:
            fields[key[5:]] = without_paths(value)
        elif dots == 2 and value.kind in _CONTAINERS:
            nested[key[5:]] = without_paths(value)
    return fields, nested


def memory_owners(info: ClassInfo, methods: Iterable[cst.FunctionDef], reads: Dict[int, FrozenSet[str]]) -> Dict[int, FrozenSet[str]]:
    """method id -> the fields holding an instance of a plain class of the project whose own fields that
    method may fill while another method reads the field (``reads``: method id -> ``self`` fields read)."""
    held = {
        name
        for name, value in info.attrs.items()
        if value.kind == "instance" and value.cls is not None and not value.cls.is_module and value.cls.attrs
    }
    found: Dict[int, FrozenSet[str]] = {}
    if not held:
        return found
    methods = list(methods)
    for method in methods:
        owners = filled_field_owners(method) & held
        if not owners:
            continue
        elsewhere = set()
        for other in methods:
            if other is not method:
                elsewhere |= reads[id(other)]
        if owners & elsewhere:
            found[id(method)] = frozenset(owners & elsewhere)
    return found


def seed_made(info: ClassInfo, filling: Dict[int, FrozenSet[str]]) -> None:
    """Before the filling methods' walks: ``self.X.Y`` starts as ``X``'s constructor left it (a list
    made empty), not as ``X``'s class has it after the join over its own methods (what they append
    from unknown arguments makes it "holds something", which would hide what this class puts there).
    Set on every path, so that an arm that does not fill it (``if training:``) keeps it at the join."""
    owners = frozenset().union(*filling.values()) if filling else frozenset()
    info.nested = {
        f"{owner}.{attr}": value
        for owner in owners
        for attr, value in info.attrs[owner].cls.made.items()
        if value.kind in _CONTAINERS
    }


def join_nested(info: ClassInfo, stored: Dict[str, List[Value]]) -> None:
    """Set ``info.nested`` ("X.Y" -> value in every method): the join of what the filling methods left,
    each walk started from what ``seed_made`` set; a field whose join is not a container is left out."""
    nested = {}
    for path, values in stored.items():
        joined = join_all(values)
        if joined.kind in _CONTAINERS:
            nested[path] = joined
    info.nested = nested
