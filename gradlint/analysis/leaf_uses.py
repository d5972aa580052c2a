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

from . import torch_api as api
from .recorded_lists import recorded_only
from .syntax import dotted, kwarg, module_nodes, walk

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
    (``a * name``, ``-name``, ``name.unsqueeze(0)``: the receiver of an out-of-place tensor method),
    a detached copy (``name.clone().detach()``, ``name.data``), the gradient handed to a backward
    (``out.backward(name)``, ``grad_outputs=name``), an input of a module's forward, or an argument
    of a function of this module whose parameter is only used so: its leaf-ness is never observed
    (a kernel test's ``x = torch.randn(n, requires_grad=True).cuda()`` copied by
    ``copy_one_tensor(x)`` into the leaves it checks). A name declared ``global`` or ``nonlocal``,
    read by a nested function, returned, stored, passed to another call or tested is not."""
    if type(target) is not cst.Name or ctx.function is None:
        return False
    name = target.value
    mentions, unobserved = _mentions(ctx.function.body, name, ctx, helpers=True)
    if mentions is None:
        return False
    others = [node for node in mentions if node is not target]
    if len(others) == len(mentions):
        return False  # the target is not this function's own binding (a nested one's, say)
    return bool(others) and all(id(node) in unobserved for node in others)


#: methods whose result, once detached, is a copy that knows nothing of the tensor's leaf-ness
_COPIES = frozenset({"clone", "contiguous", "cpu", "cuda", "to", "float", "double", "half", "detach"})


def _mentions(body, name: str, ctx, helpers: bool):
    """(the mentions of ``name`` in ``body``, the ids of those that never observe its leaf-ness);
    (None, None) when a declaration shares the name with another scope."""
    unobserved = set()
    mentions = []
    labels = set()  # names that are no read of a variable: a keyword (``f(input=x)``), an attribute
    for node in walk(body):
        node_type = type(node)
        if node_type is cst.Arg and node.keyword is not None:
            labels.add(id(node.keyword))
        elif node_type is cst.Attribute:
            labels.add(id(node.attr))
        if node_type is cst.BinaryOperation:
            unobserved.update(id(side) for side in (node.left, node.right) if type(side) is cst.Name)
        elif node_type is cst.UnaryOperation and type(node.expression) is cst.Name:
            unobserved.add(id(node.expression))
        elif node_type is cst.Attribute and node.attr.value == "data" and type(node.value) is cst.Name:
            unobserved.add(id(node.value))
        elif node_type is cst.Call:
            unobserved.update(_unobserving_arguments(node, ctx, helpers))
        elif node_type is cst.Assign and helpers:
            # a rebinding holds another value from then on: its mentions are judged as they come
            unobserved.update(id(t.target) for t in node.targets if type(t.target) is cst.Name)
        elif node_type is cst.Name and node.value == name and id(node) not in labels:
            mentions.append(node)
        elif node_type in (cst.Global, cst.Nonlocal):
            if any(item.name.value == name for item in node.names):
                return None, None
    return mentions, unobserved


def _unobserving_arguments(call, ctx, helpers: bool) -> list:
    """The ids of the names ``call`` uses without observing their leaf-ness: the receiver of a
    detached copy, the gradient a backward is seeded with, a parameter of a helper that does so."""
    func = call.func
    if helpers and type(func) in (cst.Name, cst.Attribute) and ctx.value(func).kind == "module":
        # `criterion(anchors, targets, prototypes)`: a module's forward computes with its inputs, as
        # an op does with its operands (asked in the function being judged, where ``ctx`` walks)
        return [id(arg.value) for arg in call.args if type(arg.value) is cst.Name]
    if type(func) is cst.Attribute:
        method = func.attr.value
        if method == "detach":
            receiver = func.value
            while type(receiver) is cst.Call and type(receiver.func) is cst.Attribute and receiver.func.attr.value in _COPIES:
                receiver = receiver.func.value
            return [id(receiver)] if type(receiver) is cst.Name else []
        if method in api.TENSOR_RESULT_ONLY_METHODS and type(func.value) is cst.Name:
            # `mask.unsqueeze(0)`: the name is an operand of the op, as of arithmetic; the result is
            # a new tensor, which nothing can take for the name's own leaf
            return [id(func.value)]
        if kwarg(call, "create_graph") is not None:
            return []  # the seed may be differentiated itself
        if method == "backward":
            seed = kwarg(call, "gradient") or (call.args[0] if call.args and call.args[0].keyword is None else None)
            return [id(seed.value)] if seed is not None and type(seed.value) is cst.Name else []
        if method == "grad":
            seed = kwarg(call, "grad_outputs")
            return [id(seed.value)] if seed is not None and type(seed.value) is cst.Name else []
        if method == "append" and helpers and type(func.value) is cst.Name and len(call.args) == 1:
            # `scores.append(score)` into a list only kept for plots (``recorded_lists``)
            element = call.args[0]
            if element.keyword is None and not element.star and type(element.value) is cst.Name:
                return [id(element.value)] if recorded_only(func.value.value, ctx) else []
        return []
    if helpers and type(func) is cst.Name and ctx.module_node is not None:
        return _helper_arguments(call, func.value, ctx)
    return []


def _helper_arguments(call, helper: str, ctx) -> list:
    """The positional arguments of a call of the module's only function named ``helper`` whose
    parameter that function's body only uses without observing its leaf-ness (one level deep)."""
    defs = [node for node in module_nodes(ctx.module_node).of(cst.FunctionDef) if node.name.value == helper]
    if len(defs) != 1:
        return []
    params = defs[0].params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT and type(params.star_arg) is cst.Param:
        return []
    positional = list(params.posonly_params) + list(params.params)
    found = []
    for position, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star or position >= len(positional) or type(arg.value) is not cst.Name:
            continue
        mentions, unobserved = _mentions(defs[0].body, positional[position].name.value, ctx, helpers=False)
        if mentions and all(id(node) in unobserved for node in mentions):
            found.append(id(arg.value))
    return found


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


_PARAMETER = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})


def rewrapped_as_parameter(target, ctx) -> bool:
    """The first later statement of the block that mentions the name or field rebinds it to
    ``nn.Parameter(<it>)`` (``self.nu = torch.tensor([0.1], requires_grad=True).to(device)`` then
    ``self.nu = nn.Parameter(self.nu)``, a PINN's learned coefficient): the Parameter is a fresh leaf
    made from the data, so the non-leaf the first statement made is never seen."""
    text = dotted(target)
    if text is None or ctx.block is None:
        return False
    statements, index = ctx.block
    for stmt in statements[index + 1:]:
        if not any(dotted(node) == text for node in walk(stmt) if type(node) in (cst.Name, cst.Attribute)):
            continue
        if type(stmt) is not cst.SimpleStatementLine or len(stmt.body) != 1 or type(stmt.body[0]) is not cst.Assign:
            return False
        assign = stmt.body[0]
        value = assign.value
        return (
            len(assign.targets) == 1
            and dotted(assign.targets[0].target) == text
            and type(value) is cst.Call
            and len(value.args) >= 1
            and value.args[0].keyword is None
            and dotted(value.args[0].value) == text
            and ctx.value(value.func).qual in _PARAMETER
        )
    return False
