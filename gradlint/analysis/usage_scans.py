"""Syntactic scans of a function that ``evidence`` draws its facts from: which names it uses as
optimizers (by name and by use), which names and fields it backpropagates, where a name is bound
again, and whether a name is read as something other than a tensor."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from . import torch_api as api
from .syntax import dotted, own_nodes, per_node, walk
from .tensor_members import is_tensor_member


def part_of(path: str, name: str) -> bool:
    """``name.field`` or ``name[]`` (a literal key of ``name``), as ``_backward_of`` spells them."""
    return path == name + "[]" or path.startswith(name + ".") and "." not in path[len(name) + 1 :]


_GUARDS = (cst.IfExp, cst.Comparison, cst.BooleanOperation, cst.Lambda, cst.UnaryOperation)


def reads_grad_of(node, path: str) -> bool:
    """``path.grad`` is an operand of ``node``'s arithmetic, not under a test."""
    if isinstance(node, _GUARDS):
        return False
    for part in walk(node, _GUARDS):
        if type(part) is cst.Attribute and part.attr.value == "grad" and dotted(part.value) == path:
            return True
    return False


def scan_for_backward(statements, name: str) -> Optional[bool]:
    """True: ``name.backward()`` runs next, unconditionally; False: ``name`` (or, for ``x.field``
    and ``x[]``, ``x``) is rebound first; None: neither, in these statements."""
    bound = name.split(".")[0].split("[")[0]
    for stmt in statements:
        if type(stmt) is not cst.SimpleStatementLine:
            if type(stmt) is cst.If and name in _every_branch_backprops(stmt):
                return True
            if binds(stmt, bound) or calls_non_tensor_method(stmt, name):
                return False
            continue
        for small in stmt.body:
            if type(small) is cst.Expr and _backward_of(small.value) == name:
                return True
            if binds(small, bound) or calls_non_tensor_method(small, name):
                return False
    return None


def calls_non_tensor_method(node, name: str) -> bool:
    """``name.reset()``, ``name.eval_batch(out, y)``: a method no tensor has, so ``name`` holds
    some other object, one whose own ``backward()`` (a hand-written loss accumulator's, say)
    proves nothing about gradients."""
    return _calls_non_tensor_method(walk(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)), name)


def own_calls_non_tensor_method(function: cst.FunctionDef, name: str) -> bool:
    """``calls_non_tensor_method`` of the function's own body, from the calls listed once for it
    (``own_nodes``, the same walk) instead of a walk of the body at every ``backward()``."""
    return _calls_non_tensor_method(own_nodes(function).of(cst.Call), name)


def _calls_non_tensor_method(nodes, name: str) -> bool:
    for part in nodes:
        if type(part) is cst.Call and type(part.func) is cst.Attribute and dotted(part.func.value) == name:
            if not is_tensor_member(part.func.attr.value):
                return True
    return False


_OPTIMIZER_NAMES: dict = {}
#: ``optimizer``, ``optimizer_G``, ``optimizerD``, ``g_optimizer``, ``optim``, ``opt_d``, ``d_opt``
_OPTIMIZER_NAME = re.compile(r"(?i)^(?:[a-z0-9]+_)?(?:optimi[sz]er|optim|opt)(?:_[a-z0-9]+|[a-z0-9])?$")


def optimizer_names_by_use(function: cst.FunctionDef) -> frozenset:
    """Plain names and ``self`` fields the function uses as optimizers: it calls their ``.step()``
    and uses their ``.zero_grad``, or it backpropagates and calls ``.step()`` with no argument on
    an optimizer-named one, or it calls their ``.step(closure)`` with a closure of its own that
    backpropagates. A ``.step()`` alone does not make an optimizer: schedulers have one."""
    cached = _OPTIMIZER_NAMES.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    stepped, clearing, plain_steps, closure_steps = set(), set(), set(), set()
    backpropagates = False
    nodes = own_nodes(function)
    closures = {
        nested.name.value
        for nested in nodes.nested
        if type(nested) is cst.FunctionDef and _calls_backward(own_nodes(nested).of(cst.Call))
    }
    for node in nodes.of(cst.Attribute):
        if node.attr.value == "zero_grad":
            name = _name_or_field(node.value)
            if name:
                clearing.add(name)
    for node in nodes.of(cst.Call):
        if type(node.func) is cst.Attribute:
            method = node.func.attr.value
            name = _name_or_field(node.func.value)
            if method == "step" and name:
                stepped.add(name)
                if not node.args:
                    plain_steps.add(name)
                elif len(node.args) == 1 and type(node.args[0].value) is cst.Name and node.args[0].value.value in closures:
                    # `optimizer.step(closure)` with a closure of this function that backpropagates
                    # (L-BFGS): no scheduler's step takes one
                    closure_steps.add(name)
            elif method in ("backward", "manual_backward"):
                backpropagates = True
    named = {name for name in plain_steps if _optimizer_named(name.rsplit(".", 1)[-1])} if backpropagates else set()
    result = frozenset(stepped & clearing | named | closure_steps)
    if len(_OPTIMIZER_NAMES) > 10_000:
        _OPTIMIZER_NAMES.clear()
    _OPTIMIZER_NAMES[id(function)] = (function, result)
    return result


def _calls_backward(calls) -> bool:
    return any(type(call.func) is cst.Attribute and call.func.attr.value == "backward" for call in calls)


_SCALER_NAMES: dict = {}


def scaler_names(function: cst.FunctionDef) -> frozenset:
    """Plain names and ``self`` fields the function uses as ``x.scale(...).backward()``,
    ``x.step(...)`` and ``x.update()``: a gradient scaler's protocol."""
    cached = _SCALER_NAMES.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    scaling, stepping, updating = set(), set(), set()
    for node in own_nodes(function).of(cst.Call):
        if type(node.func) is not cst.Attribute:
            continue
        method, receiver = node.func.attr.value, node.func.value
        if method == "backward" and type(receiver) is cst.Call and type(receiver.func) is cst.Attribute:
            if receiver.func.attr.value == "scale" and len(receiver.args) == 1:
                scaling.add(_name_or_field(receiver.func.value))
        elif method == "step" and len(node.args) >= 1:
            stepping.add(_name_or_field(receiver))
        elif method == "update" and not node.args:
            updating.add(_name_or_field(receiver))
    result = frozenset(scaling & stepping & updating) - {""}
    if len(_SCALER_NAMES) > 10_000:
        _SCALER_NAMES.clear()
    _SCALER_NAMES[id(function)] = (function, result)
    return result


def stepped_optimizer_names(function: cst.FunctionDef) -> frozenset:
    """The names ``optimizer_names_by_use`` finds, and those the function calls ``.step(...)`` on (with
    a closure too: ``optimizer_c.step(fn_c)``) that are named as optimizers."""
    stepped = {
        _name_or_field(node.func.value)
        for node in own_nodes(function).of(cst.Call)
        if type(node.func) is cst.Attribute and node.func.attr.value == "step"
    }
    named = {name for name in stepped if name and _optimizer_named(name.rsplit(".", 1)[-1])}
    return optimizer_names_by_use(function) | named


def _optimizer_named(name: str) -> bool:
    lowered = name.lower()
    return bool(_OPTIMIZER_NAME.match(name)) and "sched" not in lowered and "lr" not in lowered.split("_")


def _name_or_field(node) -> str:
    """``x`` or ``self.x``, else ''."""
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return "self." + node.attr.value
    return ""


_BACKWARD_NAMES: dict = {}


def backward_names(statements) -> frozenset:
    """Names whose ``.backward()`` is a statement of this block (cheap; cached per block)."""
    key = id(statements)
    cached = _BACKWARD_NAMES.get(key)
    if cached is not None and cached[0] is statements:
        return cached[1]
    result = _top_level_backprops(statements)
    for stmt in statements:
        if type(stmt) is cst.If:
            result = result | _every_branch_backprops(stmt)
    if len(_BACKWARD_NAMES) > 10_000:
        _BACKWARD_NAMES.clear()
    _BACKWARD_NAMES[key] = (statements, result)
    return result


def _top_level_backprops(statements) -> frozenset:
    """Names whose backward() is a statement of the block itself."""
    names = set()
    for stmt in statements:
        if type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                if type(small) is cst.Expr:
                    name = _backward_of(small.value)
                    if name is not None:
                        names.add(name)
    return frozenset(names)


def _every_branch_backprops(stmt: cst.If) -> frozenset:
    """Names every branch of an ``if``/``elif``/``else`` backpropagates (``if scaler:
    scaler.scale(loss).backward() else: loss.backward()``); none without an ``else``."""
    common = _top_level_backprops(stmt.body.body) if type(stmt.body) is cst.IndentedBlock else frozenset()
    orelse = stmt.orelse
    if type(orelse) is cst.If:
        return common & _every_branch_backprops(orelse)
    if type(orelse) is cst.Else and type(orelse.body) is cst.IndentedBlock:
        return common & _top_level_backprops(orelse.body.body)
    return frozenset()


def _backward_of(node) -> Optional[str]:
    """``x.backward(...)`` or ``scaler.scale(x).backward(...)``: the name ``x``; also through
    ``(x / n)`` and ``(x * 0.5)``: a divisor (a number of accumulation steps) or a literal
    factor does not carry the graph, so ``x`` does."""
    if not (type(node) is cst.Call and type(node.func) is cst.Attribute):
        return None
    method = node.func.attr.value
    if method == "manual_backward" or method == "backward" and api.is_backward_runner(dotted(node.func.value)):
        # `accelerator.backward(loss)`, `self.manual_backward(loss)`
        first = node.args[0] if node.args and node.args[0].keyword is None else None
        target = _scaled_operand(first.value) if first is not None else None
        return target.value if type(target) is cst.Name else None
    if method != "backward":
        return None
    receiver = node.func.value
    if (
        type(receiver) is cst.Call
        and type(receiver.func) is cst.Attribute
        and receiver.func.attr.value == "scale"
        and len(receiver.args) == 1
    ):
        receiver = receiver.args[0].value
    receiver = _scaled_operand(receiver)
    if (
        type(receiver) is cst.Subscript
        and type(receiver.value) is cst.Name
        and len(receiver.slice) == 1
        and type(receiver.slice[0].slice) is cst.Index
        and type(receiver.slice[0].slice.value) in (cst.SimpleString, cst.Integer)
    ):
        return f"{receiver.value.value}[]"  # a literal key or position: `output["loss"].backward()`
    if type(receiver) is cst.Attribute and type(receiver.value) is cst.Name:
        return f"{receiver.value.value}.{receiver.attr.value}"  # a named tuple's field: `losses.total.backward()`
    return receiver.value if type(receiver) is cst.Name else None


def _scaled_operand(node):
    """``x`` of ``x / n``, ``x * 2.0`` or ``2.0 * x``, else the node itself."""
    if type(node) is not cst.BinaryOperation:
        return node
    if type(node.operator) is cst.Divide:
        return node.left
    if type(node.operator) is cst.Multiply:
        if type(node.right) in (cst.Integer, cst.Float):
            return node.left
        if type(node.left) in (cst.Integer, cst.Float):
            return node.right
    return node


#: the nodes whose ``target`` ``binds`` looks at (a comprehension's ``for`` and an ``as`` name are not)
_BINDERS = (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)


def binds(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` binds the plain name ``name`` (assigned, augmented, annotated, a ``for`` target or
    ``:=``, unpacked or not), outside the bodies of the functions it defines. Asked of every statement
    after a binding being proven, for each binding: the names a statement binds are found once (a
    pruned ``walk``, not a libcst visitor, which rebuilds every node it passes), then looked up (a loop
    body of n bindings asked n * n / 2 times: 3000 lines of one took minutes)."""
    if type(node) is cst.Expr and dotted(node.value) is not None:
        return False
    return name in bound_names(node)


@per_node
def bound_names(node: cst.CSTNode) -> frozenset:
    """The plain names ``node`` binds, as ``binds`` tells them."""
    if type(node) is cst.FunctionDef:
        return frozenset()
    names: set = set()
    for part in walk(node, (cst.FunctionDef,)):
        if type(part) in _BINDERS:
            _add_names(part.target, names)
    return frozenset(names)


def _add_names(target, names: set) -> None:
    if type(target) is cst.Name:
        names.add(target.value)
    elif type(target) in (cst.Tuple, cst.List):
        for element in target.elements:
            _add_names(element.value, names)
    elif type(target) is cst.StarredElement:
        _add_names(target.value, names)



_MODE_USES: dict = {}


def mode_uses(function: cst.FunctionDef) -> tuple:
    """(plain names the function calls, plain names it switches with ``.train()``/``.eval()`` given
    no argument), from its own nodes."""
    cached = _MODE_USES.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    called, switched = set(), set()
    for node in own_nodes(function).of(cst.Call):
        func = node.func
        if type(func) is cst.Name:
            called.add(func.value)
        elif type(func) is cst.Attribute and func.attr.value in ("train", "eval") and type(func.value) is cst.Name:
            if not node.args:
                switched.add(func.value.value)
    result = (frozenset(called), frozenset(switched))
    if len(_MODE_USES) > 10_000:
        _MODE_USES.clear()
    _MODE_USES[id(function)] = (function, result)
    return result


def switched_and_called_names(function: cst.FunctionDef) -> frozenset:
    """Plain names the function both calls (``model(x)``) and switches with ``.train()``/``.eval()``:
    a callable with a train/eval mode is an ``nn.Module``. (A name only switched may be an evaluator,
    an environment or an agent of the project, whose ``eval()`` is its own.)"""
    called, switched = mode_uses(function)
    return called & switched


def handing_calls(function: cst.FunctionDef, name: str) -> list:
    """The calls of a plain name that are given ``name`` itself as an argument
    (``validate(val_loader, model, criterion)``)."""
    return [
        node
        for node in own_nodes(function).of(cst.Call)
        if type(node.func) is cst.Name
        and any(not arg.star and type(arg.value) is cst.Name and arg.value.value == name for arg in node.args)
    ]
