"""The ``self`` fields a method call leaves set: those its body stores, and those stored by the
methods of its class it calls on ``self``.

``model.optimize_parameters()`` runs ``self.backward_G()``, which sets ``self.loss_G``: after the
call, the caller's ``model.loss_G`` is that value (a training loop's ``history.append(model.loss_G)``
keeps its graph). The call's summary holds the field's value at the end of the method; which fields
the call changed is read from the bodies (a field no walked body gave a value to becomes unknown,
never keeps what it held before the call).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import function_facts, own_nodes, per_node
from .values import ClassInfo


def stored_fields(method: cst.FunctionDef, cls: Optional[ClassInfo]) -> frozenset:
    """The fields ``method`` stores, itself or through the methods of ``cls`` it calls on ``self``."""
    return _through_self_calls(method, cls, lambda function: function_facts(function).self_stores)


def assigned_fields(method: cst.FunctionDef, cls: Optional[ClassInfo]) -> frozenset:
    """The fields ``method`` (or a method of ``cls`` it calls on ``self``) binds to a new object
    (``self.fake_B = ...``), not those it only changes in place (``self.saved_log_probs.append(...)``,
    or ``+=``, which extends a list where it is)."""
    return _through_self_calls(method, cls, _assigned)


@per_node
def _assigned(function: cst.FunctionDef) -> frozenset:
    nodes = own_nodes(function)
    return _self_fields(
        [target.target for node in nodes.of(cst.Assign) for target in node.targets]
        + [node.target for node in nodes.of(cst.AnnAssign) if node.value is not None]
    )


@per_node
def self_assignments(function: cst.FunctionDef) -> frozenset:
    """``X`` of every ``self.X = ...`` (or ``+=``, ``:``) in the function's own body (memoised: asked
    for each field ``__init__`` leaves, and again for each class of the file's importers)."""
    nodes = own_nodes(function)
    return _self_fields(
        [target.target for node in nodes.of(cst.Assign) for target in node.targets]
        + [node.target for node in nodes.of(cst.AugAssign) + nodes.of(cst.AnnAssign)]
    )


def _self_fields(targets: list) -> frozenset:
    """``X`` of each ``self.X`` among ``targets``, unpacking tuples and lists."""
    found = set()
    while targets:
        target = targets.pop()
        if isinstance(target, (cst.Tuple, cst.List)):
            targets.extend(e.value for e in target.elements)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            found.add(target.attr.value)
    return frozenset(found)


def _through_self_calls(method: cst.FunctionDef, cls: Optional[ClassInfo], fields_of) -> frozenset:
    names = set(fields_of(method))
    if cls is None:
        return frozenset(names)
    seen, pending = {id(method)}, [method]
    while pending:
        for call in own_nodes(pending.pop()).of(cst.Call):
            func = call.func
            if type(func) is not cst.Attribute or type(func.value) is not cst.Name or func.value.value != "self":
                continue
            callee = cls.methods.get(func.attr.value)
            if callee is not None and id(callee) not in seen:
                seen.add(id(callee))
                names |= fields_of(callee)
                pending.append(callee)
    return frozenset(names)
