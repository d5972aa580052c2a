"""``super().forward(x)`` in a method of a class whose base is a class of the file: the base's method
runs on the same ``self`` (siamese-triplet #51: ``EmbeddingNetL2.forward`` normalises in place the
output of ``super().forward(x)``, ``EmbeddingNet``'s layers). Without this the call's value is not
known and nothing about its result is established."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def super_method(walker, func) -> Optional[tuple]:
    """(the base class's method, the receiver ``self``) for ``super().<name>`` called in a method
    run on a known instance; None when that method is not a method of a class of the file."""
    if type(func) is not cst.Attribute or type(func.value) is not cst.Call:
        return None
    call = func.value
    if type(call.func) is not cst.Name or call.func.value != "super" or call.args:
        return None
    current = walker.function
    if current is None or func.attr.value == "__init__":
        return None  # the base's fields are the subclass's already (``scopes``)
    receiver = walker.lookup("self")
    if receiver is None or receiver.cls is None or receiver.kind not in ("instance", "module"):
        return None
    method = _after(receiver.cls, current, func.attr.value, 0)
    return (method, receiver) if method is not None else None


def _after(cls, current, name: str, depth: int):
    """The first base of ``cls`` (depth first) defining ``name`` by another function than ``current``,
    the method that called ``super()``: a base whose method *is* ``current`` is searched further."""
    if depth > 4:
        return None
    for base in cls.bases:
        if base.kind != "class" or base.cls is None:
            continue
        method = base.cls.methods.get(name)
        if method is None:
            continue
        if method is current:
            return _after(base.cls, current, name, depth + 1)
        return method
    return None
