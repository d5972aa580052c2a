"""Whether losing a leaf matters for the name that holds it: asked by GRD302.

``gamma = torch.rand(n, requires_grad=True) + 0.1`` then ``gamma.retain_grad()`` (deepinv's
implicit-backward test, which reads ``gamma.grad`` afterwards): the author knows the name holds a
non-leaf and asks autograd to keep its ``.grad``, which backward() then fills.

``eta = torch.rand(shape, requires_grad=True).to(device)`` then only
``x = eta * a + (1 - eta) * b`` (deepinv's Jacobian-norm regulariser): a local name that the
function only ever uses as an operand of arithmetic is never asked whether it is a leaf: nothing
reads its ``.grad``, no optimizer or container receives it, nothing outside the function sees it.
"""

from __future__ import annotations

import libcst as cst

from .syntax import walk


def retained(target, ctx) -> bool:
    """``name.retain_grad()`` is called in the function (at module level, in the module)."""
    if type(target) is not cst.Name:
        return False
    name = target.value
    root = ctx.function.body if ctx.function is not None else ctx.module_node
    if root is None:
        return False
    return _calls_retain_grad(root, name)


def elements_retained(target, ctx) -> bool:
    """``for p in name: p.retain_grad()`` in the function (at module level, in the module): each
    element of a list built of non-leaves (``[torch.from_numpy(a).requires_grad_().to(device) for a in
    arrays]``, PPLM's perturbations of the past keys and values) keeps its ``.grad``."""
    if type(target) is not cst.Name:
        return False
    root = ctx.function.body if ctx.function is not None else ctx.module_node
    if root is None:
        return False
    for node in walk(root):
        if type(node) is cst.For and type(node.iter) is cst.Name and node.iter.value == target.value:
            if type(node.target) is cst.Name and _calls_retain_grad(node.body, node.target.value):
                return True
    return False


def _calls_retain_grad(body, name: str) -> bool:
    return any(
        type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == "retain_grad"
        and type(node.func.value) is cst.Name
        and node.func.value.value == name
        for node in walk(body)
    )


def only_operand(target, ctx) -> bool:
    """The function's every other mention of the local name is an operand of arithmetic
    (``a * name``, ``-name``): its leaf-ness is never observed. A name declared ``global`` or
    ``nonlocal``, read by a nested function, returned, stored, passed to a call or tested is not."""
    if type(target) is not cst.Name or ctx.function is None:
        return False
    name = target.value
    operands = set()
    mentions = []
    for node in walk(ctx.function.body):
        if type(node) is cst.BinaryOperation:
            operands.update(id(side) for side in (node.left, node.right) if type(side) is cst.Name)
        elif type(node) is cst.UnaryOperation and type(node.expression) is cst.Name:
            operands.add(id(node.expression))
        elif type(node) is cst.Name and node.value == name:
            mentions.append(node)
        elif type(node) in (cst.Global, cst.Nonlocal):
            if any(item.name.value == name for item in node.names):
                return False
    others = [node for node in mentions if node is not target]
    if len(others) == len(mentions):
        return False  # the target is not this function's own binding (a nested one's, say)
    return bool(others) and all(id(node) in operands for node in others)
