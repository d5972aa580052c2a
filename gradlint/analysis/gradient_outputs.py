"""Torch calls whose result is several tensors in the graph of their inputs.

``torch.autograd.grad(out.sum(), mixed, create_graph=True)`` (a WGAN-GP or R1 gradient penalty): the
gradients belong to the graph of the outputs and inputs they differentiate, so a loss built from them
goes through those graphs. Without ``create_graph`` their graph is not known here (unknown).

``vals, vecs = torch.linalg.eigh(a)``, ``U, S, Vh = torch.linalg.svd(a)``, ``Q, R = torch.linalg.qr(a)``:
each output is differentiable, computed from ``a``, and saved for backward (``"output"``), like one op's
result; unpacked, each name holds it (a loss of eigenvalues goes through ``a``'s graph).
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

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
    outputs, inputs = _argument(node, args, "outputs", 0), _argument(node, args, "inputs", 1)
    if outputs is not None:
        behind = _unwalked_graphs(analyzer, inputs, outputs[1])
        analyzer._emit("on_autograd_grad", node, outputs[0], behind)
        if mode is not False:
            analyzer._free_graph(node, outputs[0], behind, outputs[1])
    create = kwarg(node, "create_graph")
    if create is not None and literal_bool(create.value) is True and mode is not False:
        # by position or by keyword (a WGAN-GP's `grad(outputs=score, inputs=mixed, create_graph=True)`)
        operands = [found for found in (outputs, inputs) if found is not None]
        if operands:
            return seq([analyzer._op_result(operands, "none")])
    return seq([tensor(None, None)])


def _argument(node, args, keyword: str, position: int) -> Optional[Tuple[cst.BaseExpression, Value]]:
    """An argument of the call, by keyword or position, with the value the walk found for it."""
    positional = 0
    for arg, (_, value) in zip(node.args, args):
        if arg.star:
            return None  # `grad(*pair)`: where each argument goes is not known
        if arg.keyword is not None and arg.keyword.value == keyword or arg.keyword is None and positional == position:
            return arg.value, value
        positional += arg.keyword is None
    return None


def _unwalked_graphs(analyzer, inputs, outputs: Value) -> frozenset:
    """The graphs an ``autograd.grad`` call does not walk: the walk goes from its outputs to its inputs
    only. Not the inputs and the graphs they were built on: ``torch.autograd.grad(y.sum(), z)`` frees
    the graph from ``z`` to ``y``, not the one that computed ``z`` (torch 2.13: a later backward
    through ``z``'s own graph runs). And when the inputs are tensors of their own (not a model's
    parameters, which every forward's graph reaches), not a graph the outputs were built on that
    was not computed from them: TRADES' ``autograd.grad(kl(model(x_adv), p_natural), [x_adv])`` in
    each attack step leaves ``p_natural``'s graph, computed once before the loop, as it was."""
    if inputs is None:
        return frozenset()
    node, value = inputs
    displayed = type(node) in (cst.List, cst.Tuple)
    parts = [(element.value, analyzer.value(element.value)) for element in node.elements] if displayed else [inputs]
    behind, tensors = set(), set()
    for part, value in parts:
        path = base_path(part)
        if path:
            behind.add(path)
        behind |= value.deps
        tensors.add(path if value.kind == "tensor" else None)
    if tensors and None not in tensors:
        for name in outputs.deps:
            built = analyzer.lookup(name)
            if name not in tensors and not (built is not None and built.deps & tensors):
                behind.add(name)
    return frozenset(behind)


def decomposition_result(qual: str, node, args, op_result: Callable) -> Optional[Value]:
    count = DECOMPOSITIONS.get(qual)
    if count is None or not args or node.args[0].keyword is not None:
        return None
    part = op_result(args[:1], "output")
    return seq([part] * count).with_(items=(part,) * count)
