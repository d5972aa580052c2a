"""Forwards of the project's own that give back Python values, not tensors.

A call of a module is taken to give a tensor that requires grad (where its parameters train).
A forward of the project's own may say otherwise: ``return self.classifier(x).detach().numpy()``
on every path, or, on some path, a list of Python numbers (``imp_weights.append(h[0, i].item())``
then ``return imp_weights`` when the caller asks ``imp_op="return"``). Where such a path is the one
the call takes, or may be, the output is not established to be a grad tensor: nothing a rule
says of one (``np.array(outputs)`` raising, a graph kept in a list) holds for it.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted, function_facts, own_nodes
from .values import ClassInfo, Value, join_all

#: tensor methods whose result is no tensor: a numpy array, a Python number or list
_CONVERSIONS = frozenset({"numpy", "tolist", "item"})


def gives_no_tensor(function: cst.FunctionDef, returned: Value, cls: Optional[ClassInfo]) -> bool:
    """The caller of ``function`` (a module's forward) gets no tensor it may take for a graph:
    every ``return`` converts one (``return self.classifier(x).detach().numpy()``), or the walk
    in the call's context gave Python values (``returned``), or it gave nothing known and some
    path of the forward gives Python values (``ClassInfo.plain_return``), or it gave a list
    of values not known to be tensors (``found = []`` extended, in a loop over blocks, with
    what their forwards give: walks nested deeper than ``calls.MAX_DEPTH`` are not followed)."""
    if converts_on_return(function) or holds_no_tensor(returned) or _list_of_unknowns(returned):
        return True
    return cls is not None and cls.plain_return and returned.kind == "unknown"


def converts_on_return(function: cst.FunctionDef) -> bool:
    returns = own_nodes(function).of(cst.Return)
    if not returns or function_facts(function).generator:
        return False
    return all(
        type(node.value) is cst.Call
        and type(node.value.func) is cst.Attribute
        and node.value.func.attr.value in _CONVERSIONS
        for node in returns
    )


def holds_no_tensor(value: Value) -> bool:
    """A list, tuple or dict of Python numbers (converted from tensors or not), or one number
    converted from a tensor (``h.sum().item()``). A literal number alone does not count: ``return 0``
    on an empty batch beside ``return loss`` is the path with no graph yet (``values.join``)."""
    if value.kind == "number":
        return value.cut
    if value.kind not in ("seq", "dict"):
        return False
    members = list(value.items) + ([value.elem] if value.kind == "seq" and value.elem is not None else [])
    return bool(members) and all(m.kind == "number" or holds_no_tensor(m) for m in members)


def _list_of_unknowns(value: Value) -> bool:
    if value.kind != "seq" or value.items or value.has_grad is True:
        return False
    return value.elem is None or value.elem.kind in ("unknown", "none", "number")


def gives_python_values(returns) -> bool:
    """What the walk of a forward in no call's context (``ClassInfo.plain_return``) returned: on some
    path Python numbers (alone or in the tuple it returns), or, all paths joined, a list of values
    not known to be tensors (a tuple of a tensor and a list of numbers on one path, a tensor alone
    on the other). A call whose own walk is cut (``calls.MAX_DEPTH``) then gives a value that is
    not known."""
    for value in returns:
        if holds_no_tensor(value) or value.kind == "seq" and any(holds_no_tensor(item) for item in value.items):
            return True
    return _list_of_unknowns(join_all(returns))


def returns_submodule_values(function: cst.FunctionDef, cls: ClassInfo) -> bool:
    """Some ``return`` of ``function`` (a forward of ``cls``) gives, alone or in its tuple, a name
    bound from what a submodule whose forward gives Python values returned
    (``last, ffn, found = self.bert(x, op=op)`` then ``return found``), directly or through a
    list it was appended to or extended with: the Python values pass up through this forward too."""
    own = own_nodes(function)
    layers = _flagged_layers(own, cls)
    bound: set = set()
    for node in own.of(cst.Assign):
        if type(node.value) is cst.Call and _gives_python_values(node.value.func, cls, layers):
            for target in node.targets:
                bound |= _names(target.target)
    if not bound:
        return False
    for node in own.of(cst.Call):  # `found.extend(part)`: the list holds them too
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in ("append", "extend") and type(func.value) is cst.Name:
            if node.args and _names(node.args[0].value) & bound:
                bound.add(func.value.value)
    return any(node.value is not None and _names(node.value) & bound for node in own.of(cst.Return))


def _gives_python_values(func: cst.BaseExpression, cls: ClassInfo, layers: set) -> bool:
    if type(func) is cst.Attribute and func.attr.value == "forward":
        func = func.value
    if type(func) is cst.Name:
        return func.value in layers
    return _flagged(_field(func, cls))


def _flagged_layers(own, cls: ClassInfo) -> set:
    """The loop names that run over a field's layers of which one gives Python values
    (``for i, layer in enumerate(self.layers):``, ``for block in self.blocks:``)."""
    names = set()
    for node in own.of(cst.For):
        source, target = node.iter, node.target
        if type(source) is cst.Call and dotted(source.func) == "enumerate" and source.args and type(target) is cst.Tuple:
            source = source.args[0].value
            target = target.elements[-1].value if len(target.elements) == 2 else None
        field = _field(source, cls)
        if type(target) is cst.Name and field is not None and field.kind == "module":
            if any(_flagged(member) for member in field.items + ((field.elem,) if field.elem is not None else ())):
                names.add(target.value)
    return names


def _field(node: cst.BaseExpression, cls: ClassInfo) -> Optional[Value]:
    if type(node) is not cst.Attribute or type(node.value) is not cst.Name or node.value.value != "self":
        return None
    return cls.attrs.get(node.attr.value)


def _flagged(module: Optional[Value]) -> bool:
    return module is not None and module.kind == "module" and module.cls is not None and module.cls.plain_return


def _names(node: cst.BaseExpression) -> set:
    """The names ``node`` is, or lists (a tuple's elements)."""
    if type(node) is cst.Name:
        return {node.value}
    if type(node) in (cst.Tuple, cst.List):
        return {e.value.value for e in node.elements if type(e.value) is cst.Name}
    return set()
