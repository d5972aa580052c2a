"""Fields an object's methods share: what one method stores in ``self``, another reads.

``__init__`` gives a class its fields' first values. A training class then keeps
state across calls of its methods: ``learn()`` appends each loss to
``self.cost_his`` and ``plot_cost()`` plots it; ``step()`` sets ``self.hidden`` and
``forward()`` reads it. So, for a field that one method stores (assigns, augments,
appends to, writes an item of) and *another* method reads, each storing method is
walked once silently (parameters unknown), and the field's value in every method is
the join of ``__init__``'s value and the values the storing methods leave. Only
such fields cost a walk; a class whose methods only read what ``__init__`` set costs
nothing more.
"""

from __future__ import annotations

from typing import Dict, List, Set, Tuple

import libcst as cst

from .calls import MAX_INLINE_WALKS, Context
from .values import UNKNOWN, ClassInfo, Value, join_all

_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})


def _self_attr(node) -> str:
    """``X`` of ``self.X`` (also under ``self.X[...]``), else ''."""
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return ""


def stores_and_reads(method: cst.FunctionDef) -> Tuple[Set[str], Set[str]]:
    """The ``self`` fields a method stores into and those it mentions at all."""
    stores: Set[str] = set()
    reads: Set[str] = set()
    stack: list = [method.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign):
            for target in node.targets:
                stores.update(_targets(target.target))
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            stores.update(_targets(node.target))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _MUTATORS:
            name = _self_attr(node.func.value)
            if name:
                stores.add(name)
        name = _self_attr(node) if isinstance(node, cst.Attribute) else ""
        if name:
            reads.add(name)
        stack.extend(node.children)
    return stores, reads


def _targets(target) -> List[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _targets(element.value)]
    name = _self_attr(target)
    return [name] if name else []


class Fields:
    """Joins into a class's fields what its methods store (see the module doc)."""

    def _join_method_fields(self, info: ClassInfo, methods: List[cst.FunctionDef]) -> None:
        scans: Dict[int, Tuple[Set[str], Set[str]]] = {id(m): stores_and_reads(m) for m in methods}
        shared: Dict[int, Set[str]] = {}
        for method in methods:
            stores = scans[id(method)][0]
            read_elsewhere = set()
            for other in methods:
                if other is not method:
                    read_elsewhere |= scans[id(other)][1]
            if stores & read_elsewhere:
                shared[id(method)] = stores & read_elsewhere
        if not shared:
            return
        receiver = (
            Value(kind="module", params=info.params, cls=info) if info.is_module else Value(kind="instance", cls=info)
        )
        stored: Dict[str, List[Value]] = {}
        for method in methods:
            names = shared.get(id(method))
            if not names or self.calls.walks >= MAX_INLINE_WALKS:
                continue
            self.calls.walks += 1
            summary = self._summarise(method, Context({}, self._method_mode(method), receiver))
            for name in names:
                stored.setdefault(name, []).append(summary.fields.get(name, UNKNOWN))
        for name, values in stored.items():
            if name in info.attrs:
                values = [info.attrs[name]] + values
            joined = join_all(values)
            if joined.kind == "unknown":
                info.attrs.pop(name, None)
            else:
                info.attrs[name] = joined
