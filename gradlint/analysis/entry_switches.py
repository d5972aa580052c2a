"""``eval()`` / ``train()`` of every entry of a container, switched one by one in a loop.

``for k in d.keys(): d[k].eval()`` (or ``for m in d.values(): m.eval()``) switches every entry of
the dict ``d``; ``for m in models: m.eval()`` switches every model of the list ``models`` (an
ensemble, one model per class), so that ``models[idx](x)`` afterwards runs a model in eval mode.
A list's value keeps one joined element (``Value.elem``): every element alike, which is what a
switch of each of them makes true.
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from .entry_loops import entry_names
from .syntax import dotted, literal_str
from .values import Tri, Value


def entries_loop(node: cst.For, value_of: Callable[[cst.BaseExpression], Value], depth: int) -> Optional[tuple]:
    """(key name, entry name, container path, loop, body depth) of a loop that visits every entry of a
    dict (``for k in d`` / ``d.keys()``, ``for m in d.values()``, ``for k, m in d.items()``) or every
    element of a list of modules (``for m in models``: the name is bound to the element, not a key)."""
    names = entry_names(node)
    if names is None:
        return None
    source, path, key, item = names
    container = value_of(source)
    if container.kind == "dict":
        return key, item, path, node, depth
    if container.kind == "seq" and source is node.iter and key is not None and _of_modules(container.elem):
        return None, key, path, node, depth
    return None


def switched_entries(value: Value, keys, training: Tri) -> Optional[Value]:
    """``value`` (a dict, or a list of modules) with its entries (those of ``keys``, None for all)
    switched to ``training``; None when it is neither."""
    if value.kind == "seq" and keys is None and _of_modules(value.elem):
        return value.with_(elem=_switched(value.elem, training))
    if value.kind != "dict":
        return None
    items = tuple(item if keys is not None and key not in keys else _switched(item, training) for key, item in zip(value.keys, value.items))
    return value.with_(items=items)


def _of_modules(elem: Optional[Value]) -> bool:
    return elem is not None and elem.kind == "module"


def _switched(item: Value, training: Tri) -> Value:
    if item.kind == "module":
        return item.with_(training=training, params=True if item.params is None else item.params)
    # only a module has eval()/train()
    return Value(kind="module", params=True, training=training) if item.kind == "unknown" else item


class EntrySwitches:
    """The walker's switches of a container's entries (mixed into ``TrainingEffects``)."""

    def _switch_dict_entries(self, receiver_node, path: Optional[str], training: Tri) -> None:
        """``d["generator"].eval()`` switches that entry of the dict ``d``; ``d[k].eval()`` in
        ``for k in d.keys()`` (or ``m.eval()`` in ``for m in d.values()``) switches every entry."""
        every = None
        if isinstance(receiver_node, cst.Subscript) and len(receiver_node.slice) == 1:
            index = receiver_node.slice[0].slice
            container = dotted(receiver_node.value)
            key = literal_str(index.value) if isinstance(index, cst.Index) else None
            if key is not None and container is not None:
                self._switch_entries(container, (key,), training)
                return
            name = index.value.value if isinstance(index, cst.Index) and isinstance(index.value, cst.Name) else None
            every = next((loop for loop in self._dict_loops if loop[0] is not None and loop[0] == name and loop[2] == container), None)
        elif path is not None and "." not in path:
            every = next((loop for loop in self._dict_loops if loop[1] == path), None)
        if every is None or every[4] != self._cond_depth - self._true_arms:
            return  # not a loop over the entries, or a switch of some of them only
        self._switch_entries(every[2], None, training)
        self._switched_entries[id(every[3])] = (every[2], None, training)

    def _switch_entries(self, container: str, keys, training: Tri) -> None:
        value = self.lookup(container)
        switched = switched_entries(value, keys, training) if value is not None else None
        if switched is not None:
            self.state.env[container] = switched
