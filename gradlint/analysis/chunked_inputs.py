"""Loops that run a model over the chunks of one input, and the lists of their outputs that the model
then consumes whole.

``for i in range(n): parts.append(model.embed(x[:, i]))`` followed by ``model.combine(parts)`` is one
computation split in pieces (a chunked encoder, a prefix scan over the chunks of one sequence): the
list holds the pieces of one input, as many as that input has, not a history that grows with the data
an evaluation loop reads. A loop over batches (``for x, y in loader``) never qualifies: its model
inputs are not slices of a tensor that was there before the loop.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def chunk_models(record) -> frozenset:
    """The roots of the models (``model`` of ``model.embed``) a loop runs only on slices of one
    tensor bound before it, indexed by a name the loop binds (``x[:, i]``); empty if any forward
    of the loop takes anything else, or if the loop runs no model."""
    roots = set()
    # the layers a model's forward runs are recorded at the model's call too, with no path
    pathed = {id(call): path for call, path, _, _ in record.forwards if path is not None}
    for call, path, _module, mode in record.forwards:
        if mode is not True:
            continue
        path = path if path is not None else pathed.get(id(call))
        args = [arg.value for arg in getattr(call, "args", ()) if arg.keyword is None and not arg.star]
        if path is None or not args or not all(_slices_one_input(arg, record.bound) for arg in args):
            return frozenset()
        roots.add(path.split(".", 1)[0])
    return frozenset(roots)


def _slices_one_input(node: cst.BaseExpression, bound) -> bool:
    if type(node) is not cst.Subscript:
        return False
    base = dotted(node.value)
    if base is None or base.split(".", 1)[0] in bound:
        return False
    return any(type(n) is cst.Name and n.value in bound for element in node.slice for n in walk(element))


def consumed_whole(scope: cst.CSTNode, path: str, models: frozenset) -> bool:
    """The scope passes the list named ``path`` itself to one of ``models`` or to a method of one
    (``model.vectorized_scan(parts, ...)``)."""
    if not models:
        return False
    body = scope.body if type(scope) is cst.FunctionDef else scope
    for node in walk(body, prune=_SCOPES):
        if type(node) is not cst.Call:
            continue
        callee = dotted(node.func)
        if callee is None or callee.split(".", 1)[0] not in models:
            continue
        if any(type(arg.value) is cst.Name and arg.value.value == path for arg in node.args):
            return True
    return False
