"""Calls of static and class methods: ``SO2.from_matrix(rotation)`` on the class, and
``cls.is_valid_matrix(mat)`` inside a class method.

Such a call runs the method with the caller's arguments as a plain function call would
(``arguments.binds_first`` skips the ``cls`` a class method takes), so the method's own findings (a
``.numpy()`` on the grad tensor it is given) are reported, and what it returns is known. Before,
only methods called on an object were followed.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .arguments import is_classmethod, is_static, parameters


def class_method_call(walker, receiver, name: str, node: cst.Call, args):
    """The value of ``receiver.name(...)`` when it calls a static or class method of a class of the
    project, else None (the caller goes on as before)."""
    cls = _called_class(walker, receiver, node)
    method = cls.methods.get(name) if cls is not None else None
    if method is None or not is_static(method):
        return None
    names = cls.namespace.env if cls.namespace is not None else None
    return walker._call_function(method, node, args, names=names)


def _called_class(walker, receiver, node: cst.Call) -> Optional[object]:
    if receiver.kind == "class":
        return receiver.cls
    return own_class(walker, node.func.value) if receiver.kind == "unknown" else None


def own_class(walker, name) -> Optional[object]:
    """The class whose class method the walker is in, when ``name`` is that method's ``cls``
    (``model = cls(config)`` in ``from_pretrained``), else None."""
    function = walker.function
    if function is None or type(name) is not cst.Name or not is_classmethod(function):
        return None
    params = parameters(function)
    if not params or params[0].name.value != name.value:
        return None
    # `cls` of the class method being walked: the class whose body defines it
    for value in _outer_values(walker):
        if getattr(value, "kind", None) == "class" and value.cls is not None:
            if any(method is function for method in value.cls.methods.values()):
                return value.cls
    return None


def _outer_values(walker):
    outer = walker.outer
    if outer is None:
        return ()
    return list(outer.values()) if hasattr(outer, "values") else ()
