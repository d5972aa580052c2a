"""Constructors of libcst's nodes for a parse whose nodes need no validation (see ``parsed``).

A libcst node is a frozen dataclass with slots: its generated ``__init__`` stores each field
with ``object.__setattr__`` (a look-up of the field along the class's MRO for every field of
every node) and calls ``__post_init__`` (the validation ``parsed`` turns off). The parser builds
about two million nodes for a large package, so those stores are a twelfth of a parse. The
constructors here store straight into the fields' slots and call nothing; they are put on the
node classes only while ``parsed._unvalidated`` holds its lock, and taken off after.

A class is left with its own constructor when it is not the plain shape these are written for
(a field not in ``__init__``, keyword-only, or stored outside a slot; a ``__post_init__`` of its
own, which may do more than validate).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Optional, Tuple

from libcst._nodes.base import CSTNode

from .syntax import node_types

_BUILT: List[Optional[Tuple[Tuple[type, Callable, Callable], ...]]] = [None]


def swaps() -> Tuple[Tuple[type, Callable, Callable], ...]:
    """(class, its own ``__init__``, the fast one) for every node class the fast one fits."""
    if _BUILT[0] is None:
        _BUILT[0] = tuple(_swaps())
    return _BUILT[0]


def _swaps():
    validate = CSTNode.__post_init__
    for cls in node_types(CSTNode) - {CSTNode}:
        own = cls.__dict__.get("__init__")
        if own is None or not dataclasses.is_dataclass(cls) or cls.__post_init__ is not validate:
            continue
        fast = _constructor(cls)
        if fast is not None:
            yield cls, own, fast


def _constructor(cls: type) -> Optional[Callable]:
    fields = dataclasses.fields(cls)
    names: Dict[str, object] = {"_MISSING": dataclasses.MISSING}
    params, lines = [], []
    for index, field in enumerate(fields):
        if not field.init or field.kw_only or not field.name.isidentifier():
            return None
        slot = _slot(cls, field.name)
        if slot is None:
            return None
        names[f"_set{index}"] = slot.__set__
        if field.default is not dataclasses.MISSING:
            names[f"_default{index}"] = field.default
            params.append(f"{field.name}=_default{index}")
        elif field.default_factory is not dataclasses.MISSING:
            names[f"_factory{index}"] = field.default_factory
            params.append(f"{field.name}=_MISSING")
            lines.append(f"if {field.name} is _MISSING: {field.name} = _factory{index}()")
        else:
            params.append(field.name)
        lines.append(f"_set{index}(self, {field.name})")
    source = "def __init__(self, {}):\n    {}\n".format(", ".join(params), "\n    ".join(lines or ["pass"]))
    exec(compile(source, f"<fast constructor of {cls.__name__}>", "exec"), names)
    return names["__init__"]


def _slot(cls: type, name: str):
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            # the first class along the MRO that names the field decides: a slot, or a default value
            return found if type(found).__name__ == "member_descriptor" else None
    return None
