"""A name whose every binding builds its value by ops that save no tensor: a second backward() through its
graph runs. Asked by GRD504 beside ``graph_saves`` (whose chains start at a fresh leaf).

An input-diversity attack rebinds its batch each step, ``images = diversify(images + delta)``, the batch
first bound to data (``torch.zeros(shape).to(device)``) and ``diversify`` a helper of the file returning
its input, or that input resized with ``F.interpolate(mode="nearest")`` and zero-padded with ``F.pad``.
Each step's backward() goes again through the additions, resizings and paddings of the earlier steps,
none of which saved a tensor (checked with torch 2.13: ``AddBackward0``, ``SubBackward0``,
``UpsampleNearest2DBackward0``, ``UpsampleBilinear2DBackward0``, ``ConstantPadNdBackward0``), so it runs.
A reflection pad, a clamp or a product saves its operands, and anything not known here (an attribute, a
call of another file) may: those keep the finding.
"""

from __future__ import annotations

import libcst as cst

from .graph_saves import SAVING_NOTHING, InFunction, saves_nothing, top_function
from .leaves import creates_leaf
from .syntax import dotted, kwarg, walk

#: factories: data, or a fresh leaf when given ``requires_grad=True`` (no node that saves anything)
_FACTORIES = frozenset(
    "torch." + name
    for name in (
        "zeros ones empty full rand randn randint arange linspace zeros_like ones_like empty_like full_like "
        "rand_like randn_like tensor as_tensor from_numpy FloatTensor LongTensor Tensor"
    ).split()
)
#: functional resamplings whose backward needs only sizes, in the modes given (the default first)
_RESAMPLINGS = {
    "torch.nn.functional.interpolate": ("nearest", "bilinear"),
    "torch.nn.functional.pad": ("constant",),
}
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_MAX_DEPTH = 3


def bound_saving_nothing(name: str, ctx, depth: int = 0) -> bool:
    """Every binding of the plain name in the function (at module level, the module's own statements) is
    ``name = value`` with a value computed, by ops that save no tensor, from data, numbers, the name
    itself, parameters of a helper being read, and names that are themselves so bound (or fresh leaves
    put through such ops, ``graph_saves``)."""
    if "." in name or "[" in name or depth > _MAX_DEPTH:
        return False
    if ctx.function is not None:
        nodes = walk(ctx.function.body, _NESTED)
    elif ctx.module_node is not None:
        nodes = walk(ctx.module_node, _NESTED)
    else:
        return False
    found = False
    for node in nodes:
        if type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr, cst.With) and _binds(node, name):
            return False
        if type(node) is not cst.Assign or not any(_binds_target(t.target, name) for t in node.targets):
            continue
        if len(node.targets) != 1 or type(node.targets[0].target) is not cst.Name:
            return False
        if not _saves_nothing(node.value, ctx, name, depth):
            return False
        found = True
    return found


def _binds(node, name: str) -> bool:
    target = node.target if type(node) is not cst.With else None
    if target is None:
        return any(item.asname is not None and _binds_target(item.asname.name, name) for item in node.items)
    return _binds_target(target, name)


def _binds_target(target, name: str) -> bool:
    """``name`` itself, or an element of a tuple or list target (not a subscript or attribute store)."""
    if type(target) is cst.Name:
        return target.value == name
    if type(target) in (cst.Tuple, cst.List):
        return any(type(e) is cst.Element and _binds_target(e.value, name) for e in target.elements)
    if type(target) is cst.StarredElement:
        return _binds_target(target.value, name)
    return False


def _saves_nothing(node, ctx, name: str, depth: int) -> bool:
    if type(node) in (cst.Integer, cst.Float):
        return True
    if type(node) is cst.Name:
        return _name_saves_nothing(node.value, ctx, name, depth)
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        return _saves_nothing(node.expression, ctx, name, depth)
    if type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
        return _saves_nothing(node.left, ctx, name, depth) and _saves_nothing(node.right, ctx, name, depth)
    if type(node) is not cst.Call:
        return False
    func = node.func
    if type(func) is cst.Attribute and func.attr.value in SAVING_NOTHING:
        return _saves_nothing(func.value, ctx, name, depth)
    qual = ctx.value(func).qual or dotted(func) or ""
    if qual in _FACTORIES or creates_leaf(node, ctx):
        return True  # data, or a fresh leaf: no node of a graph
    if qual in _RESAMPLINGS:
        return _resampling_saves_nothing(node, qual, ctx, name, depth)
    if type(func) is cst.Name and ctx.module_node is not None:
        return _helper_saves_nothing(node, func.value, ctx, name, depth)
    return False


def _name_saves_nothing(other: str, ctx, name: str, depth: int) -> bool:
    if other == name or other in _parameters(ctx.function if isinstance(ctx, InFunction) else None):
        return True  # the name's earlier value (checked here), or a value the helper's caller checks
    return saves_nothing(other, ctx, depth + 1) or bound_saving_nothing(other, ctx, depth + 1)


def _resampling_saves_nothing(node: cst.Call, qual: str, ctx, name: str, depth: int) -> bool:
    """``F.interpolate(x, size=..., mode="nearest")`` / ``F.pad(x, pads)``: its input saves nothing, in a
    mode whose backward needs only sizes (the mode given as a literal, or the default)."""
    modes = _RESAMPLINGS[qual]
    mode = kwarg(node, "mode")
    if mode is not None:
        if type(mode.value) is not cst.SimpleString or mode.value.evaluated_value not in modes:
            return False
    elif any(arg.keyword is None for arg in node.args[2:]):
        return False  # a mode given by position
    if not node.args or node.args[0].keyword is not None:
        return False
    return _saves_nothing(node.args[0].value, ctx, name, depth)


def _helper_saves_nothing(node: cst.Call, helper: str, ctx, name: str, depth: int) -> bool:
    """A call of a function defined once at the top of this file, whose arguments save nothing and each of
    whose ``return`` statements gives a value computed from its parameters by ops saving nothing."""
    function = top_function(ctx.module_node, helper)
    if function is None or depth >= _MAX_DEPTH:
        return False
    if any(arg.star or not _saves_nothing(arg.value, ctx, name, depth) for arg in node.args):
        return False
    view = InFunction(ctx, function)
    returns = [n for n in walk(function.body, _NESTED) if type(n) is cst.Return]
    return bool(returns) and all(
        ret.value is not None and _saves_nothing(ret.value, view, "", depth + 1) for ret in returns
    )


def _parameters(function) -> frozenset:
    if function is None:
        return frozenset()
    params = function.params
    every = list(params.params) + list(params.posonly_params) + list(params.kwonly_params)
    return frozenset(p.name.value for p in every)
