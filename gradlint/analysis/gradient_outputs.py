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

from .syntax import kwarg, literal_bool
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
    ``retain_graph``/``create_graph`` keep it)."""
    mode = analyzer.state.mode
    if node.args and mode is not False:
        analyzer._free_graph(node, node.args[0].value)
    create = kwarg(node, "create_graph")
    if create is not None and literal_bool(create.value) is True and mode is not False:
        positional = [pair for arg, pair in zip(node.args, args) if arg.keyword is None][:2]
        if positional:
            return seq([analyzer._op_result(positional, "none")])
    return seq([tensor(None, None)])


def decomposition_result(qual: str, node, args, op_result: Callable) -> Optional[Value]:
    count = DECOMPOSITIONS.get(qual)
    if count is None or not args or node.args[0].keyword is not None:
        return None
    part = op_result(args[:1], "output")
    return seq([part] * count).with_(items=(part,) * count)
