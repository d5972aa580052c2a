"""Tensors a helper's graph saved: ``def calc_loss(xb, w): return (xb @ w).mean() + wd * (w ** 2).sum()``
saves ``w`` (``w ** 2`` keeps it for its gradient). Called as ``loss = calc_loss(xb, weights)``, the
caller's ``weights`` is saved by ``loss``'s graph until a ``backward()``: a write through
``weights.data`` before it silently changes the gradient (GRD203). A callee's summary walk notes what
is saved at each of its normal exits (``State.saved``, a must-fact); the parameters saved at every
exit are, in the caller's names, saved at the call.
"""

from __future__ import annotations

import libcst as cst

from .arguments import parameters, rename_path
from .syntax import function_facts, walk
from .torch_api import is_inplace_method

#: what a write made on every run of a helper is not under
_CONDITIONAL = (cst.If, cst.Try, cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.IfExp, cst.BooleanOperation)


def saved_parameters(exits: list, function) -> frozenset:
    """The parameters (plain names) saved on every normal exit of the function just walked."""
    if not exits:
        return frozenset()
    names = {param.name.value for param in parameters(function)}
    return frozenset(path for path in frozenset.intersection(*exits) if path in names)


def _written_through_data(node):
    """The name written through ``.data`` by ``node`` (``d.data[...] = v``, ``d.data *= v``,
    ``d.data.mul_(v)``, ``d.data[0].copy_(v)``), or None."""
    kind = type(node)
    if kind is cst.AssignTarget or kind is cst.AugAssign:
        target = node.target
    elif kind is cst.Call and type(node.func) is cst.Attribute and is_inplace_method(node.func.attr.value):
        target = node.func.value
    else:
        return None
    while type(target) is cst.Subscript:
        target = target.value
    if type(target) is cst.Attribute and target.attr.value == "data" and type(target.value) is cst.Name:
        return target.value.value
    return None


_DATA_WRITES: dict = {}


def data_written_parameters(function) -> dict:
    """The parameters (not rebound) the function writes through ``.data`` on every run -> the write."""
    key = id(function)
    found = _DATA_WRITES.get(key)
    if found is None or found[0] is not function:
        names = {param.name.value for param in parameters(function)} - function_facts(function).rebound
        writes = {}
        for node in walk(function.body, _CONDITIONAL):
            name = _written_through_data(node)
            if name in names:
                writes.setdefault(name, node)
        found = _DATA_WRITES[key] = (function, writes)
    return found[1]


def apply_saved_arguments(analyzer, saved_args: frozenset, renames: dict, function=None, call=None) -> None:
    state = analyzer.state
    if state.mode is not True:
        return
    renamed = frozenset(rename_path(renames, path) for path in saved_args if path in renames)
    if renamed:
        state.saved = state.saved | renamed
    if function is None or not analyzer.reporting or not state.saved:
        return
    written = {}
    for name, write in data_written_parameters(function).items():
        path = rename_path(renames, name) if name in renames else None
        value = analyzer.lookup(path) if path in state.saved else None
        if value is not None and value.is_grad_tensor:
            written[path] = write
    if written:
        analyzer.call_data_writes[id(call)] = written
