"""Methods of a model's class that cannot make any of its parameters trainable again.

``model = Recommender(emb, freeze=True)`` then ``loss = model.calculate_loss(batch)``: GRD407
forgets a freeze when a method it does not know is called on the frozen model (the method might
unfreeze a part, or add a layer). A method of a class of this file whose body (and the body of
every method of the class it calls on ``self``) sets no ``requires_grad``, stores nothing under
``self``, calls no ``setattr`` and hands ``self`` to no call keeps the freeze: its parameters are
the ones the freeze switched off.
"""

from __future__ import annotations

import libcst as cst

from .syntax import walk

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
#: methods of ``nn.Module`` called on ``self`` that leave ``requires_grad`` as it is
_SAFE_SELF_CALLS = frozenset({"eval", "train", "parameters", "named_parameters", "modules", "children", "forward"})


def keeps_freeze(cls, name: str, depth: int = 0, seen=None) -> bool:
    """Whether method ``name`` of ``cls`` (a ``ClassInfo`` of the linted file) keeps a freeze."""
    if cls is None or cls.namespace is not None or cls.open_base or depth > 3:
        return False
    method = cls.methods.get(name)
    if type(method) is not cst.FunctionDef:
        return False
    seen = set() if seen is None else seen
    if name in seen:
        return True
    seen.add(name)
    for node in walk(method.body, _NESTED):
        kind = type(node)
        if kind is cst.Attribute and node.attr.value in ("requires_grad", "requires_grad_"):
            return False
        if kind in (cst.AssignTarget, cst.AugAssign, cst.AnnAssign) and _under_self(node.target):
            return False
        if kind is cst.Call:
            func = node.func
            if type(func) is cst.Name and func.value in ("setattr", "delattr"):
                return False
            if any(_is_self(arg.value) for arg in node.args):
                return False
            if type(func) is cst.Attribute and _is_self(func.value):
                if func.attr.value in _SAFE_SELF_CALLS:
                    continue
                if func.attr.value in cls.methods:
                    if not keeps_freeze(cls, func.attr.value, depth + 1, seen):
                        return False
                elif not _field_call_keeps(cls, func.attr.value, "forward", depth):
                    return False
            elif type(func) is cst.Attribute and type(func.value) is cst.Attribute and _is_self(func.value.value):
                # `self.encoder.encode(x)`: a method of a sub-module
                if not _field_call_keeps(cls, func.value.attr.value, func.attr.value, depth):
                    return False
    return True


def _field_call_keeps(cls, field: str, method: str, depth: int) -> bool:
    """``self.<field>(...)`` (``method`` "forward") or ``self.<field>.<method>(...)``: the field is a
    sub-module the constructor made; a torch layer's methods keep its freeze (``requires_grad_`` is
    caught as an attribute), a sub-module of the file's classes keeps it when its method does.
    Inherited methods of ``self`` itself (``self.register_buffer``, ``self.add_module``) do not."""
    value = cls.attrs.get(field)
    if value is None or value.kind != "module":
        return False
    if value.cls is None:
        return True
    return keeps_freeze(value.cls, method, depth + 1)


def _is_self(node) -> bool:
    return type(node) is cst.Name and node.value == "self"


def _under_self(node) -> bool:
    while type(node) in (cst.Attribute, cst.Subscript):
        node = node.value
    return _is_self(node)
