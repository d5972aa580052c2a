"""``stat_col["loss"] = loss`` on an object whose class's ``__setitem__`` appends the value to a list
it keeps (mi-prometheus #111's StatisticsCollector): each such store in a loop keeps one more item,
like ``losses.append(loss)``. Asked by GRD502."""

from __future__ import annotations

import libcst as cst

from .syntax import walk


def appends_item(container) -> bool:
    """The instance's class (of the file) defines ``__setitem__(self, key, value)`` that calls
    ``<something>.append(value)``."""
    if container.kind != "instance" or container.cls is None:
        return False
    method = container.cls.methods.get("__setitem__")
    if method is None or len(method.params.params) != 3:
        return False
    value = method.params.params[2].name.value
    return any(
        type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == "append"
        and len(node.args) == 1
        and type(node.args[0].value) is cst.Name
        and node.args[0].value.value == value
        for node in walk(method.body)
    )
