"""Graphs that save no tensor: a second backward() through them works. Asked by GRD504.

``gamma = torch.rand(n, requires_grad=True) + 0.1`` (deepinv's implicit-backward test): the graph
between the leaf and ``gamma`` is one ``AddBackward`` of a number, which saves no tensor, so a
backward() through it after an earlier one freed it runs (checked with torch 2.13: ``+``/``-`` of a
number, negation, ``.double()``, ``.to(dtype)``, ``.type(torch.DoubleTensor)``, ``.view``, ``.reshape``,
``.clone()``; ``/ 2.0`` and ``* 2.0`` save a tensor and raise). "Trying to backward through the graph a
second time" is raised only when a freed saved tensor is needed again. A manual update of the name
under ``no_grad`` (``w1 -= lr * w1.grad``) adds nothing to its graph (HandsOnDeepLearningWithPytorch
#2: ``w1 = torch.randn(n, m, requires_grad=True).type(dtype)`` then that update in each iteration).
A name bound from a call of a helper of the file counts when each of its returns gives such a value at
the name's position (``a, b = make_params(3)``, pytorch#1479's view of a leaf made in a helper).
"""

from __future__ import annotations

import libcst as cst

from .leaves import creates_leaf, makes_leaf_in_place
from .syntax import dotted, walk
from .usage_scans import bound_names
from .values import UNKNOWN

#: methods whose backward needs no saved tensor
SAVING_NOTHING = frozenset(
    {"to", "cuda", "cpu", "double", "float", "half", "type", "view", "reshape", "clone", "contiguous", "squeeze", "unsqueeze"}
)
#: functions joining a sequence of tensors, whose backward only slices the gradient (no saved tensor)
_JOINS = frozenset({"torch.cat", "torch.concat", "torch.concatenate", "torch.stack", "torch.hstack", "torch.vstack"})


def saves_nothing(name: str, ctx, depth: int = 0) -> bool:
    """Every binding of the plain name in the function (at module level, the module's own
    statements) is a fresh leaf put through ops that save no tensor."""
    if "." in name or "[" in name:
        return False
    if ctx.function is not None:
        nodes = walk(ctx.function.body)
    elif ctx.module_node is not None:
        nodes = walk(ctx.module_node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
    else:
        return False
    bindings = rooted = 0
    nodes = list(nodes)
    untracked = _under_no_grad(nodes)
    for node in nodes:
        if type(node) is cst.AugAssign and id(node) in untracked:
            continue  # an in-place update with gradients off: no node joins the graph
        if type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr) and _names(node.target, name):
            return False
        if type(node) is cst.Assign and any(_names(t.target, name) for t in node.targets):
            if len(node.targets) != 1:
                return False
            if _from_leaf(node.value, ctx, name) == "self":
                bindings += 1  # `a = a.cuda()`: the name's earlier value, itself checked here, moved again
                continue
            if not _from_leaf(node.value, ctx, depth=depth) and not _returned_from_leaf(
                node.targets[0].target, node.value, name, ctx, depth
            ):
                return False
            bindings += 1
            rooted += 1
    return bindings > 0 and rooted > 0 and not _parameter(ctx.function, name)


def _parameter(function, name: str) -> bool:
    """``name`` is a parameter of ``function``: a chain ``a = a.cuda()`` could start from the caller's value."""
    if function is None:
        return False
    params = function.params
    every = list(params.params) + list(params.posonly_params) + list(params.kwonly_params)
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return any(p.name.value == name for p in every)


def _returned_from_leaf(target, value, name: str, ctx, depth: int) -> bool:
    """``a, b = make_params(3)``: ``name`` takes, from a call of a function defined at the top of
    this file, what each of its ``return`` statements gives at the name's position: a fresh leaf put
    through ops that save no tensor, or a name of that function so bound (``b = torch.tensor(...,
    requires_grad=True).view(n, 1); return a, b``)."""
    if depth > 2 or type(value) is not cst.Call or type(value.func) is not cst.Name or ctx.module_node is None:
        return False
    if type(target) is cst.Name:
        index = None
    elif type(target) is cst.Tuple and all(type(e) is cst.Element and type(e.value) is cst.Name for e in target.elements):
        index = next(i for i, e in enumerate(target.elements) if e.value.value == name)
    else:
        return False
    function = top_function(ctx.module_node, value.func.value)
    if function is None:
        return False
    view = InFunction(ctx, function)
    returns = [node for node in walk(function.body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) if type(node) is cst.Return]
    if not returns:
        return False
    for ret in returns:
        given = ret.value
        if index is not None:
            if type(given) is not cst.Tuple or len(given.elements) != len(target.elements):
                return False
            given = given.elements[index].value
        if given is None:
            return False
        if _from_leaf(given, view):
            continue
        if type(given) is not cst.Name or not saves_nothing(given.value, view, depth + 1):
            return False
    return True


def top_function(module: cst.Module, name: str):
    """The function ``name`` defined once at the top level of ``module`` (None if rebound or absent)."""
    found = None
    for stmt in module.body:
        if type(stmt) is cst.FunctionDef and stmt.name.value == name:
            if found is not None:
                return None
            found = stmt
    return found


class InFunction:
    """``ctx`` asked about the bindings of another function of the same file."""

    def __init__(self, ctx, function):
        self._ctx = ctx
        self.function = function

    def __getattr__(self, name):
        return getattr(self._ctx, name)


def _names(target, name: str) -> bool:
    return any(type(node) is cst.Name and node.value == name for node in walk(target))


def _from_leaf(node, ctx, name: str | None = None, depth: int = 0):
    """A fresh leaf put through ops that save no tensor (True); with ``name``, "self" when the chain
    starts from that name instead (``a = a.cuda()`` after ``a = torch.tensor(..., requires_grad=True)``,
    pytorch#13113). Without ``name``, a join of such values (``torch.cat([x, t], dim=1)`` of two leaves
    or of names bound only to such chains, a PINN's collocation points) is one too."""
    while True:
        if name is not None and type(node) is cst.Name and node.value == name:
            return "self"
        if name is not None:
            if creates_leaf(node, ctx) or makes_leaf_in_place(node):
                return False  # the caller asks only about chains from the name itself
        elif creates_leaf(node, ctx) or makes_leaf_in_place(node):
            return node is not None
        if name is None and _join(node, ctx):
            return _joins_saving_nothing(node, ctx, depth)
        if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in SAVING_NOTHING:
            node = node.func.value
        elif type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
            numbers = [side for side in (node.left, node.right) if _number(side)]
            if len(numbers) != 1:
                return False
            node = node.right if numbers[0] is node.left else node.left
        elif type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
            node = node.expression
        else:
            return False


def _join(node, ctx) -> bool:
    if type(node) is not cst.Call or not node.args or node.args[0].keyword is not None:
        return False
    return (ctx.value(node.func).qual or dotted(node.func) or "") in _JOINS


def _joins_saving_nothing(call, ctx, depth: int) -> bool:
    """Each element of the joined list or tuple literal is a fresh leaf put through ops that save no
    tensor, or a plain name of the function whose every binding is one."""
    sequence = call.args[0].value
    if type(sequence) not in (cst.List, cst.Tuple):
        return _leaves_only(_sequence_value(sequence, ctx))
    if not sequence.elements or depth > 2:
        return False
    for element in sequence.elements:
        if type(element) is not cst.Element:
            return False
        value = element.value
        if type(value) is cst.Name:
            if not saves_nothing(value.value, ctx, depth + 1):
                return False
        elif not _from_leaf(value, ctx, depth=depth + 1):
            return False
    return True


def _sequence_value(node, ctx):
    """The value of a name bound at most once as it is now, or of an element of one (``reps[0]``:
    a list's joined element; the rules ask after the statement that read it)."""
    if type(node) is cst.Subscript and len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
        base = _sequence_value(node.value, ctx)
        return base.elem if base.kind == "seq" and not base.items and base.elem is not None else UNKNOWN
    if type(node) is not cst.Name or _bindings(node.value, ctx) > 1:
        return UNKNOWN  # (rebound: its value now may not be the one joined)
    return ctx.value(node)


def _bindings(name: str, ctx) -> int:
    """How many statements of the function (or of the module's own code) bind the plain name, its
    parameter of that name one more."""
    scope = ctx.function.body if ctx.function is not None else ctx.module_node
    if scope is None:
        return 2
    binders = (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr, cst.With)
    return _parameter(ctx.function, name) + sum(
        1
        for node in walk(scope, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
        if type(node) in binders and name in bound_names(node)
    )


def _leaves_only(sequence) -> bool:
    """A list or tuple the walk knows holds only leaves (``torch.cat(reps[0])`` of embeddings each
    detached and made to require grad, ``reps_mb.detach().requires_grad_()``, by the caller: a
    GradCache-style loss backpropagated per chunk)."""
    if sequence.kind != "seq":
        return False
    if sequence.items:
        return all(_leaf(item) for item in sequence.items)
    return sequence.elem is not None and _leaf(sequence.elem)


def _leaf(value) -> bool:
    return value.kind == "tensor" and value.leaf is True and not value.struct


def _number(node) -> bool:
    """A number literal (``0.1``, ``-1``)."""
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        node = node.expression
    return type(node) in (cst.Integer, cst.Float)


def _under_no_grad(nodes) -> set:
    """The ids of the nodes inside a ``with torch.no_grad():`` / ``torch.inference_mode()`` block."""
    inside = set()
    for node in nodes:
        if type(node) is cst.With and any(_disables(item.item) for item in node.items):
            inside.update(id(child) for child in walk(node.body))
    return inside


def _disables(node) -> bool:
    return type(node) is cst.Call and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("no_grad", "inference_mode")
