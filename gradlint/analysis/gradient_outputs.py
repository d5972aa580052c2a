"""Torch calls whose result is several tensors in the graph of their inputs.

``torch.autograd.grad(out.sum(), mixed, create_graph=True)`` (a WGAN-GP or R1 gradient penalty): the
gradients belong to the graph of the outputs and inputs they differentiate, so a loss built from them
goes through those graphs. Without ``create_graph`` their graph is not known here (unknown).

``vals, vecs = torch.linalg.eigh(a)``, ``U, S, Vh = torch.linalg.svd(a)``, ``Q, R = torch.linalg.qr(a)``:
each output is differentiable, computed from ``a``, and saved for backward (``"output"``), like one op's
result; unpacked, each name holds it (a loss of eigenvalues goes through ``a``'s graph).
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from .syntax import base_path, kwarg, literal_bool
from .values import Value, seq, tensor

#: decompositions returning a tuple of differentiable outputs, by their number
DECOMPOSITIONS = {
    "torch.linalg.eigh": 2,
    "torch.linalg.eig": 2,
    "torch.linalg.svd": 3,
    "torch.svd": 3,
    "torch.linalg.qr": 2,
    "torch.qr": 2,
}


def autograd_grad_result(analyzer, node, args) -> Value:
    """The gradients ``torch.autograd.grad`` returns, after freeing the graph it went through (unless
    ``retain_graph``/``create_graph`` keep it). The rules see the call first (``on_autograd_grad``, not
    ``on_backward``: it leaves no gradient in ``.grad`` for a step), with the graph it goes through
    as an earlier ``backward()`` or ``autograd.grad`` may have left it, and the graphs behind its
    inputs, which it does not walk."""
    mode = analyzer.state.mode
    outputs = differentiated_outputs(node)
    if outputs is not None:
        behind = _graphs_behind(analyzer, node)
        analyzer._emit("on_autograd_grad", node, outputs, behind)
        if mode is not False:
            analyzer._free_graph(node, outputs, behind)
    create = kwarg(node, "create_graph")
    if create is not None and literal_bool(create.value) is True and mode is not False:
        positional = [pair for arg, pair in zip(node.args, args) if arg.keyword is None][:2]
        if positional:
            return seq([analyzer._op_result(positional, "none")])
    return seq([tensor(None, None)])


def differentiated_outputs(node) -> Optional[cst.BaseExpression]:
    """The ``outputs`` argument of an ``autograd.grad`` call: its first positional argument, or by keyword."""
    outputs = kwarg(node, "outputs")
    if outputs is not None:
        return outputs.value
    if node.args and node.args[0].keyword is None and node.args[0].star == "":
        return node.args[0].value
    return None


def _graphs_behind(analyzer, node) -> frozenset:
    """The inputs of an ``autograd.grad`` call and the graphs they were built on: the walk stops at the
    inputs, so ``torch.autograd.grad(y.sum(), z)`` frees the graph from ``z`` to ``y`` and not the one
    that computed ``z`` (torch 2.13: a later backward through ``z``'s own graph runs)."""
    inputs = kwarg(node, "inputs")
    positional = [arg for arg in node.args if arg.keyword is None and arg.star == ""]
    inputs = inputs.value if inputs is not None else positional[1].value if len(positional) > 1 else None
    if inputs is None:
        return frozenset()
    parts = [element.value for element in inputs.elements] if type(inputs) in (cst.List, cst.Tuple) else [inputs]
    behind = set()
    for part in parts:
        path = base_path(part)
        if path:
            behind.add(path)
        behind |= analyzer.value(part).deps
    return frozenset(behind)


def decomposition_result(qual: str, node, args, op_result: Callable) -> Optional[Value]:
    count = DECOMPOSITIONS.get(qual)
    if count is None or not args or node.args[0].keyword is not None:
        return None
    part = op_result(args[:1], "output")
    return seq([part] * count).with_(items=(part,) * count)
