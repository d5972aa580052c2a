"""Constructors that freeze the module they build, and what is left frozen when they return.

pytorch-fid's ``InceptionV3.__init__`` ends with ``for param in self.parameters():
param.requires_grad = requires_grad`` (``requires_grad=False`` by default): the object it makes
has no trainable parameter, wherever it goes (returned by a ``load_...()`` helper, wrapped in
``nn.DataParallel``), so its outputs on plain data carry no graph.

A freeze of the whole object covers the parameters that exist when it runs. ``self.fc =
nn.Linear(...)`` after ``for p in self.parameters(): p.requires_grad = False`` (freeze the
backbone, then add a head) leaves the head trainable: the object is frozen only in part. So a
whole freeze counts as whole only when no statement after it, at the top level of ``__init__``,
stores a field of ``self`` or calls a method of ``self`` (``self.layers.append(...)``,
``self._build_head()``, ``self.register_buffer(...)``), and none is in the loop or block of the
freeze itself after it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import libcst as cst

from .syntax import per_node, walk

#: methods of ``self`` that add no trainable parameter (mode switches, freezes)
_HARMLESS_SELF_CALLS = frozenset({"eval", "train", "requires_grad_"})


def settled_freezes(init: cst.FunctionDef, freezes: list) -> list:
    """``freezes`` (events of a walk of ``init``) with every whole freeze of ``self`` that a later
    statement may add trainable parameters to made a freeze of part of it."""
    if not freezes:
        return freezes
    adjusted = []
    for event in freezes:
        if event.owner == "self" and event.whole and event.requires_grad is False and _extended_after(init, event.node):
            event = replace(event, whole=False)
        adjusted.append(event)
    return adjusted


def left_frozen(freezes: list) -> bool:
    """After these events (in order) the object is frozen whole: the last event on ``self`` or a
    part of it is an unconditional whole freeze of ``self``, or a freeze of a part after one."""
    frozen = False
    for event in freezes:
        head = event.owner.split(".", 1)[0]
        if head != "self":
            continue
        if event.owner == "self" and event.whole and event.requires_grad is False and event.unconditional:
            frozen = True
        elif event.requires_grad is not False:
            frozen = False
    return frozen


def class_left_frozen(init: Optional[cst.FunctionDef], self_value) -> bool:
    """A class whose ``__init__``, walked with its parameters unknown, left ``self`` frozen whole
    (``self_value``: the walk's final value of ``self``) by a literal freeze at its top level that
    nothing after it extends (``class VGGLoss(nn.Module)`` freezing its pretrained layers)."""
    if init is None or self_value is None or self_value.kind != "module" or self_value.params is not False:
        return False
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else ()
    last = None
    for index, stmt in enumerate(body):
        if _freezes_self(stmt):
            last = index
    return last is not None and not any(_extends(stmt) for stmt in body[last + 1 :])


@per_node
def mentions_requires_grad(init: cst.FunctionDef) -> bool:
    """``__init__`` sets ``requires_grad`` somewhere (a walk with its defaults may freeze the object)."""
    for node in walk(init.body):
        if type(node) is cst.Attribute and node.attr.value in ("requires_grad", "requires_grad_"):
            return True
    return False


def _extended_after(init: cst.FunctionDef, node) -> bool:
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else ()
    for index, stmt in enumerate(body):
        if stmt is node or any(child is node for child in walk(stmt)):
            return any(_extends(later) for later in body[index + 1 :]) or (stmt is not node and _extends_beside(stmt, node))
    return True  # not found at the top level of __init__ (a helper's freeze): not known


def _extends_beside(stmt, node) -> bool:
    """The statement holding the freeze (a loop, a block) also adds to ``self`` outside the freeze."""
    inside = {id(child) for child in walk(node)}
    return any(id(child) not in inside and _extending_node(child) for child in walk(stmt))


def _extends(stmt) -> bool:
    return any(_extending_node(child) for child in walk(stmt))


def _extending_node(node) -> bool:
    if type(node) in (cst.AssignTarget, cst.AugAssign, cst.AnnAssign):
        target = node.target
        return _on_self(target)
    if type(node) is cst.Call:
        func = node.func
        if type(func) is cst.Name and func.value == "setattr":
            return True
        if type(func) is cst.Attribute and _is_self(func.value):
            return func.attr.value not in _HARMLESS_SELF_CALLS
        if type(func) is cst.Attribute and _on_self(func.value):
            return True
    return False


def _on_self(node) -> bool:
    """``self.x``, ``self.x.y``, ``self.x[i]``: a path under ``self`` (``self`` itself too)."""
    while type(node) in (cst.Attribute, cst.Subscript):
        node = node.value
    return _is_self(node)


def _is_self(node) -> bool:
    return type(node) is cst.Name and node.value == "self"


def _freezes_self(stmt) -> bool:
    """``for p in self.parameters(): p.requires_grad = False`` / ``p.requires_grad_(False)``, or
    ``self.requires_grad_(False)``, as a statement of its own."""
    if type(stmt) is cst.For:
        it = stmt.iter
        if not (
            type(it) is cst.Call
            and type(it.func) is cst.Attribute
            and _is_self(it.func.value)
            and it.func.attr.value == "parameters"
        ):
            return False
        return any(_false_requires_grad(child) for child in walk(stmt.body))
    if type(stmt) is cst.SimpleStatementLine:
        for small in stmt.body:
            if type(small) is cst.Expr and type(small.value) is cst.Call:
                call = small.value
                if type(call.func) is cst.Attribute and _is_self(call.func.value) and _false_requires_grad(call):
                    return True
    return False


def _false_requires_grad(node) -> bool:
    if type(node) is cst.Assign:
        return (
            len(node.targets) == 1
            and type(node.targets[0].target) is cst.Attribute
            and node.targets[0].target.attr.value == "requires_grad"
            and _is_false(node.value)
        )
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "requires_grad_":
        return len(node.args) == 1 and _is_false(node.args[0].value)
    return False


def _is_false(node) -> bool:
    return type(node) is cst.Name and node.value == "False"


@per_node
def freeze_site(init: cst.FunctionDef):
    """The statement of ``__init__`` that freezes the whole object: the ``p.requires_grad = False`` of
    a loop over ``self.parameters()`` or the ``self.requires_grad_(False)`` call, at any depth (a
    freeze under ``if freeze:`` that the constructor's default chose); None if there is none or more
    than one (which one a finding should name is then not known)."""
    sites = []
    for node in walk(init.body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.For and _freezes_self(node):
            sites.extend(child for child in walk(node.body) if _false_requires_grad(child))
        elif type(node) is cst.SimpleStatementLine and _freezes_self(node):
            sites.append(node)
    return sites[0] if len(sites) == 1 else None

