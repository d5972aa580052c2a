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

#: functions of the operator module that combine two operands element by element (``map(add, a, b)``)
_ARITHMETIC = frozenset({"operator.add", "operator.sub", "operator.mul", "operator.truediv"})


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


def accumulated_into(target, ctx) -> bool:
    """The local name is the target of an augmented assignment of its function (``loss += value_loss``)
    and its ``.grad`` is never read there: a running total started at zero, not a would-be parameter.
    The op on the fresh leaf (``torch.tensor([0.], requires_grad=True).clone()``) is what lets the
    in-place add run at all (on the leaf itself it raises), and the total is backpropagated as a loss."""
    if type(target) is not cst.Name or ctx.function is None:
        return False
    name = target.value
    augmented = False
    for node in walk(ctx.function.body):
        if type(node) is cst.Attribute and node.attr.value == "grad" and type(node.value) is cst.Name and node.value.value == name:
            return False
        if type(node) is cst.AugAssign and type(node.target) is cst.Name and node.target.value == name:
            augmented = True
    return augmented


def elements_only_mapped(target, ctx) -> bool:
    """The list bound by a statement of the function's own body (not a loop's, whose earlier
    statements read it again) is only handed, after it, to ``map(add, past, name)``: each element
    is an operand of the arithmetic the map applies, its leaf-ness never observed (PPLM's last
    perturbations, ``list(map(add, past, deltas))`` returned as the perturbed keys and values). A
    name read by a nested function or declared ``global``/``nonlocal`` is not."""
    if type(target) is not cst.Name or ctx.function is None or ctx.block is None:
        return False
    statements, index = ctx.block
    body = ctx.function.body
    if type(body) is not cst.IndentedBlock or len(statements) != len(body.body):
        return False
    if any(mine is not theirs for mine, theirs in zip(statements, body.body)):
        return False
    name = target.value
    operands, mentions = set(), []
    for statement in statements[index + 1 :]:
        for node in walk(statement):
            if type(node) is cst.Name and node.value == name:
                mentions.append(node)
            elif type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "map" and len(node.args) > 1:
                if ctx.value(node.args[0].value).qual in _ARITHMETIC:
                    operands.update(id(arg.value) for arg in node.args[1:] if arg.keyword is None and not arg.star)
    if not mentions or any(id(node) not in operands for node in mentions):
        return False
    # a nested function (defined before, called after) or a declaration may read it elsewhere
    nested = (cst.FunctionDef, cst.Lambda, cst.Global, cst.Nonlocal)
    return not any(
        type(node) in nested and any(type(n) is cst.Name and n.value == name for n in walk(node))
        for node in walk(body)
    )
