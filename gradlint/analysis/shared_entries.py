"""Entries of one model output dict that share a graph (``out = model(x)``, then ``out["a"]`` and
``out["b"]``, both computed from the model's trunk): a backward() through one frees what the
other needs, so reading an entry names the dict among its graph paths, as the outputs of one call
unpacked from a tuple name each other (``bindings._graph_siblings``)."""

from __future__ import annotations

from .values import Value
from .value_paths import add_deps


def _innermost(through: frozenset) -> frozenset:
    """The modules of ``through`` that contain none of the others (``model.trunk``, not ``model``):
    two heads called by the same model share ``model`` without sharing a graph."""
    return frozenset(p for p in through if not any(q.startswith(p + ".") for q in through))


def entry_sharing_graph(held: Value, entry: Value, path, lookup) -> Value:
    """``entry`` read from the dict ``held`` bound to ``path``: with ``path`` among its graph paths
    when another entry of the same dict went through one of the same innermost modules, known to
    have parameters that require grad (a frozen trunk over data builds no graph the heads share)."""
    if path is None or held.kind != "dict" or entry.kind != "tensor" or entry.grad is not True or not entry.through:
        return entry
    own = _innermost(entry.through)
    for other in held.items:
        if other is entry or other.kind != "tensor" or other.grad is not True:
            continue
        for module in own & _innermost(other.through):
            known = _module_at(module, lookup)
            if known is not None and known.kind == "module" and known.params is True:
                return add_deps(entry, frozenset({path}))
    return entry


def _module_at(path: str, lookup):
    """The module bound to ``path`` (``model.trunk``): the name's own binding, else the field its
    owner's class sets (``self.trunk = nn.Linear(...)`` in ``__init__``)."""
    known = lookup(path)
    if known is not None:
        return known
    head, *rest = path.split(".")
    value = lookup(head)
    for attr in rest:
        if value is None or value.cls is None:
            return None
        value = value.cls.attrs.get(attr)
    return value
