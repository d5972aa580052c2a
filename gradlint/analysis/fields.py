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

from typing import Dict, List, Set

import libcst as cst

from .calls import MAX_INLINE_WALKS
from .imports import out_of_time
from .nested_fields import join_nested, memory_owners, seed_made
from .summaries import Context
from .syntax import function_facts
from .values import UNKNOWN, ClassInfo, Value, join_all

class Fields:
    """Joins into a class's fields what its methods store (see the module doc)."""

    def _join_method_fields(self, info: ClassInfo, methods: List[cst.FunctionDef]) -> None:
        facts = {id(m): function_facts(m) for m in methods}
        # fields of an object in a field (a rollout memory): filled by one method, read by another
        filling = memory_owners(info, methods, {id(m): facts[id(m)].self_reads for m in methods})
        shared: Dict[int, Set[str]] = {}
        for method in methods:
            stores = facts[id(method)].self_stores
            if not stores:
                continue
            read_elsewhere: Set[str] = set()
            for other in methods:
                if other is not method:
                    read_elsewhere |= facts[id(other)].self_reads
            if stores & read_elsewhere:
                shared[id(method)] = stores & read_elsewhere
        if not shared and not filling:
            return
        receiver = (
            Value(kind="module", params=info.params, cls=info) if info.is_module else Value(kind="instance", cls=info)
        )
        stored: Dict[str, List[Value]] = {}
        nested: Dict[str, List[Value]] = {}
        seed_made(info, filling)
        for method in methods:
            names = shared.get(id(method), ())
            owners = filling.get(id(method), ())
            if not names and not owners or self.calls.walks >= MAX_INLINE_WALKS or out_of_time():
                continue
            self.calls.walks += 1
            mode = self._method_mode(method, info)
            if info.is_module and method.name.value == "forward" and mode is True:
                # a module's callers run its forward to train (grad on) and to evaluate (often
                # under no_grad): what it leaves on self for another method to read (attention
                # weights kept for plotting) holds a graph only after a training call
                mode = None
            summary = self._summarise(method, Context({}, mode, receiver))
            for name in names:
                stored.setdefault(name, []).append(summary.fields.get(name, UNKNOWN))
            for path, value in summary.nested_fields.items():
                if path.split(".", 1)[0] in owners:
                    nested.setdefault(path, []).append(value)
        join_nested(info, nested)
        info.method_fields = info.method_fields | frozenset(stored)
        for name, values in stored.items():
            if name in info.attrs:
                values = [info.attrs[name]] + values
            joined = join_all(values)
            if joined.kind == "unknown":
                info.attrs.pop(name, None)
            else:
                info.attrs[name] = joined

