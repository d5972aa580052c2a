"""Tensors handed, as a statement of their own, to a function the analysis does not follow, with
what it may write into them.

``out = torch.zeros_like(x)`` then ``strategy.reduce_patches(out, list(zip(indices, processed)))``
(deepinv's distributed tests): a method of an object of unknown class, called for its effect, given
a tensor and the model outputs to put into it, may fill the tensor in place with those graph values
(``out[..., i] += patch``), after which ``out`` requires grad. Whether it does is not known here:
after the call, the tensor is one whose requires_grad is unknown (not a value cut out of a graph).
A call given the tensor alone (``print(out)``, ``writer.add_image("x", out)`` is given a string
and the tensor) keeps what is known of it, and so does one of torch or numpy (known functions).
"""

from __future__ import annotations

import libcst as cst

from .handed_modules import unfollowed_call
from .syntax import dotted
from .values import tensor


def forget_filled(analyzer, call) -> None:
    """After ``call`` (a statement's value): a tensor known not to require grad that it hands, beside
    another argument that may hold graph values, to a function the analysis does not follow."""
    if type(call) is not cst.Call or len(call.args) < 2 or not unfollowed_call(analyzer, call):
        return
    values = [(arg, analyzer.silent_eval(arg.value)) for arg in call.args]
    if not any(_may_hold_graph(arg, value) for arg, value in values):
        return
    env = analyzer.state.env
    for arg, value in values:
        path = dotted(arg.value)
        if path is not None and value.kind == "tensor" and value.grad is False:
            env[path] = tensor(None, None)


_LITERALS = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString, cst.Integer, cst.Float)


def _may_hold_graph(arg, value) -> bool:
    if type(arg.value) in _LITERALS or value.kind in ("number", "none"):
        return False
    return not (value.kind == "tensor" and value.grad is False)
