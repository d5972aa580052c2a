"""A value built on the first call and kept in a field for every later one.

``if not hasattr(self, 'W_inverse'): W_inverse = Variable(W.inverse()[..., None]); self.W_inverse = W_inverse``
(the reverse pass of an invertible 1x1 convolution). The field outlives the call that filled it: a graph
kept there would be the first call's, freed by its backward, so a later call's backward through it would
raise "Trying to backward through the graph a second time" (and its values would stay those of the first
call anyway). Detaching what goes into such a cache is what the code has to do, not a graph lost by
mistake.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import _self_field, literal_str, walk


def _guarded_field(test) -> Optional[str]:
    """The field a first-use test asks about: ``not hasattr(self, 'f')``, ``self.f is None``,
    ``getattr(self, 'f', None) is None``."""
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        call = test.expression
        if type(call) is cst.Call and type(call.func) is cst.Name and call.func.value == "hasattr" and len(call.args) == 2:
            if type(call.args[0].value) is cst.Name and call.args[0].value.value == "self":
                return literal_str(call.args[1].value)
        return None
    if type(test) is cst.Comparison and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if type(target.operator) is not cst.Is or type(target.comparator) is not cst.Name or target.comparator.value != "None":
            return None
        left = test.left
        if type(left) is cst.Call and type(left.func) is cst.Name and left.func.value == "getattr" and len(left.args) == 3:
            if type(left.args[0].value) is cst.Name and left.args[0].value.value == "self":
                return literal_str(left.args[1].value)
            return None
        return _self_field(left) or None
    return None


def _small_statements(block):
    for line in getattr(block, "body", ()):
        if type(line) is cst.SimpleStatementLine:
            yield from line.body
        else:
            yield line


def _one_target(small):
    if type(small) is cst.Assign and len(small.targets) == 1:
        return small.targets[0].target
    return None


def cached_once(call: cst.Call, statement, function: Optional[cst.FunctionDef]) -> bool:
    """``statement`` (``name = call`` or ``self.f = call``) is in the body of an ``if`` testing that the
    field ``self.f`` is not set yet, and the value goes nowhere but into that field: ``name`` is only
    rebound from itself (``name = name.half()``) and stored (``self.f = name``) in that body, and read
    nowhere else in the function."""
    if function is None:
        return False
    if type(statement) is cst.SimpleStatementLine and len(statement.body) == 1:
        statement = statement.body[0]
    target = _one_target(statement)
    if target is None or statement.value is not call:
        return False
    for node in walk(function.body):
        if type(node) is not cst.If:
            continue
        field = _guarded_field(node.test)
        if field is None:
            continue
        inside = [small for small in walk(node.body) if small is statement]
        if not inside:
            continue
        if _self_field(target) == field:
            return True
        if type(target) is not cst.Name:
            return False
        return _only_cached(target.value, field, node, statement, function)
    return False


def _only_cached(name: str, field: str, guard: cst.If, statement, function) -> bool:
    allowed = {id(statement)}
    stored = False
    for small in walk(guard.body):
        target = _one_target(small)
        if target is None:
            continue
        if type(target) is cst.Name and target.value == name:
            allowed.add(id(small))  # ``name = name.half()``: still the cached value
        elif _self_field(target) == field and type(small.value) is cst.Name and small.value.value == name:
            allowed.add(id(small))
            stored = True
    if not stored:
        return False
    # every read of ``name`` in the function is in one of those statements
    permitted = set()
    for small in walk(guard.body):
        if id(small) in allowed:
            permitted.update(id(n) for n in walk(small) if type(n) is cst.Name)
    nodes = list(walk(function.body))
    fields = {id(n.attr) for n in nodes if type(n) is cst.Attribute}  # (``self.W_inverse`` reads a field, not the name)
    return all(id(n) in permitted or id(n) in fields for n in nodes if type(n) is cst.Name and n.value == name)
