"""What a module's forward of the project's own shows at a glance: the inputs it only measures
(so it keeps nothing of them for backward; whether it gives back no tensor is ``plain_outputs``).

A call of a module is taken to save its inputs (a layer keeps its input to compute the gradient
of its weight). A forward of the project's own says more: a positional encoding that reads
``x.size(1)`` and returns a slice of its buffer, or ``x + pe``, keeps nothing of ``x`` (an
addition saves no operand), so ``x += self.pos(x)`` after it breaks no backward.
"""

from __future__ import annotations

from typing import Dict, FrozenSet

import libcst as cst

from .arguments import parameters
from .backprop_params import argument_nodes
from .syntax import dotted, walk

#: tensor attributes that describe it without reading its values
_METADATA = frozenset({"shape", "ndim", "dtype", "device", "is_cuda", "requires_grad", "layout", "is_sparse"})
#: tensor methods that read its sizes (or make a new tensor of its dtype and device) only
_MEASURES = frozenset(
    {
        "size",
        "dim",
        "numel",
        "nelement",
        "element_size",
        "get_device",
        "is_contiguous",
        "is_floating_point",
        "is_complex",
        "new_zeros",
        "new_ones",
        "new_empty",
        "new_full",
    }
)
#: functions of a tensor's size (its values are not read)
_SIZE_FUNCTIONS = frozenset(
    {"len", "isinstance", "torch.zeros_like", "torch.ones_like", "torch.empty_like", "torch.full_like"}
)
_ADDITIVE = (cst.Add, cst.Subtract)
_CACHE: Dict[int, tuple] = {}


def measured_parameters(function: cst.FunctionDef) -> FrozenSet[str]:
    """Parameters of ``function`` every mention of which measures the tensor (``x.size(1)``,
    ``x.shape``, ``len(x)``, ``x is None``) or adds it to (or subtracts it from) another value:
    no op of the body keeps one of them for backward. A parameter bound again, returned, passed
    to a call, stored or used in any other way is not one of them."""
    cached = _CACHE.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    if len(_CACHE) > 50_000:
        _CACHE.clear()
    names = {param.name.value for param in parameters(function)}
    allowed = set()
    skipped = set()  # names that are no mention of a variable: attributes, keywords, parameters
    mentions = []
    for node in walk(function.body):
        kind = type(node)
        if kind is cst.Name:
            if node.value in names:
                mentions.append(node)
        elif kind is cst.Attribute:
            skipped.add(id(node.attr))
            if node.attr.value in _METADATA and type(node.value) is cst.Name:
                allowed.add(id(node.value))
        elif kind is cst.Arg:
            if node.keyword is not None:
                skipped.add(id(node.keyword))
        elif kind is cst.Param:
            skipped.add(id(node.name))
        elif kind is cst.Call:
            func = node.func
            if type(func) is cst.Attribute and func.attr.value in _MEASURES and type(func.value) is cst.Name:
                allowed.add(id(func.value))
            elif dotted(func) in _SIZE_FUNCTIONS and node.args and type(node.args[0].value) is cst.Name:
                allowed.add(id(node.args[0].value))
        elif kind is cst.BinaryOperation:
            if type(node.operator) in _ADDITIVE:
                allowed.update(id(side) for side in (node.left, node.right) if type(side) is cst.Name)
        elif kind is cst.Comparison:
            if type(node.left) is cst.Name and all(_is_none_test(c) for c in node.comparisons):
                allowed.add(id(node.left))
    used = {node.value for node in mentions if id(node) not in skipped and id(node) not in allowed}
    found = frozenset(names - used)
    _CACHE[id(function)] = (function, found)
    return found


def measured_arguments(call: cst.Call, forward: cst.FunctionDef) -> FrozenSet[int]:
    """The ids of the argument expressions of ``module(...)`` (a module of the project's class, with
    this ``forward``) that its forward only measures (``measured_parameters``)."""
    measured = measured_parameters(forward)
    if not measured:
        return frozenset()
    nodes = argument_nodes(call, parameters(forward)[1:])
    return frozenset(id(node) for name, node in nodes.items() if name in measured)


def _is_none_test(target: cst.ComparisonTarget) -> bool:
    return (
        type(target.operator) in (cst.Is, cst.IsNot)
        and type(target.comparator) is cst.Name
        and target.comparator.value == "None"
    )
