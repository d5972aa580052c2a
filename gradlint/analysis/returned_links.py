"""The caller's graphs a function's result is built on.

A value leaving a function loses the paths of its graph (``values.without_paths``): they name the
callee's locals, meaningless to the caller. But a result computed from a parameter is built on the
graph of the argument the caller passed:

    Y = torch.mm(X, true_W) + true_b          # a graph, built once before the loop
    for start in range(0, n, 20):
        l = loss(fc(x, W, b), Y[start:start + 20])
        l.backward()                          # frees Y's graph: the next iteration raises

``loss(y_hat, y)`` returns ``((y_hat - y) ** 2).mean()``, whose paths name ``y``. The summary keeps
which parameters those are (``linked_params``), and each call puts back the graph paths of the
arguments given to them (``link_result``), as an op on those arguments would have: a parameter
bound again inside the function names another value, and is not linked.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

import libcst as cst

from .arguments import parameters
from .backprop_params import argument_nodes
from .syntax import base_path, function_facts
from .values import Value, add_deps


def linked_params(returns: List[Value], function: cst.FunctionDef) -> frozenset:
    """The parameters of ``function`` the graph of every tensor it returns is built on, in part."""
    if not returns or any(value.kind != "tensor" for value in returns):
        return frozenset()
    names = {param.name.value for param in parameters(function)} - function_facts(function).rebound
    names.discard("self")
    deps: frozenset = frozenset()
    for value in returns:
        deps = deps | value.deps
    return frozenset(names & deps)


def link_result(
    result: Value,
    linked: frozenset,
    call: cst.Call,
    function: cst.FunctionDef,
    bound: bool,
    arguments: Optional[Dict[str, Value]],
    lookup: Callable[[str], Optional[Value]],
) -> Value:
    """``result`` with the graph paths of the arguments given to the ``linked`` parameters
    (``arguments``: the caller's values, parameter name -> value)."""
    if not linked or not arguments or result.kind != "tensor" or result.grad is False:
        return result
    nodes = argument_nodes(call, parameters(function)[1 if bound else 0 :])
    deps = set()
    for name in linked:
        value = arguments.get(name)
        if value is None or value.kind != "tensor" or not value.grad:
            continue
        deps |= value.deps
        node = nodes.get(name)
        path = base_path(node) if node is not None else None
        if path and value.leaf is False and not _names_a_leaf(lookup(path)) and not _element_of_filled(node, lookup(path)):
            deps.add(path)
    return add_deps(result, frozenset(deps))


def _names_a_leaf(value: Optional[Value]) -> bool:
    # (a view of a leaf, `w[:, None]`, holds a graph made anew each time, not the leaf's: ``operations``)
    return value is not None and value.kind == "tensor" and value.leaf is True and not value.struct


def _element_of_filled(node: cst.BaseExpression, value: Optional[Value]) -> bool:
    # (`outputs[i]` of a list filled per model: its graph is its own, in its deps: ``operations``)
    return type(node) is cst.Subscript and value is not None and value.kind in ("seq", "dict")
