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

from .syntax import function_facts, own_nodes
from .values import ClassInfo


def stored_fields(method: cst.FunctionDef, cls: Optional[ClassInfo]) -> frozenset:
    """The fields ``method`` stores, itself or through the methods of ``cls`` it calls on ``self``."""
    names = set(function_facts(method).self_stores)
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
                names |= function_facts(callee).self_stores
                pending.append(callee)
    return frozenset(names)
