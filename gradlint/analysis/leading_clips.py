"""A clip a helper of the file runs first, on the gradients its caller left (GRD509).

``def clip_gradients(self): clip_grad_norm_(self.model.parameters(), c)`` called right after
``scaler.scale(loss).backward()`` (Lightning #9599's hooks, returnn's ``update_params``): a callee's walk
starts unscaled, so the clip in it was judged on no scaled gradients. The clip that comes first in the
helper's body, before any call that could unscale, step, clear or backpropagate (any call but reading
parameters), sees the caller's gradients as they are: scaled ones when the caller's state is scaled.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted

_CLIPPERS = ("clip_grad_norm_", "clip_grad_value_", "clip_grad_norm")
#: the prefixes a clipper is reached by (``torch.nn.utils.clip_grad_norm_``, ``nn.utils...``, imported bare)
_CLIP_PREFIXES = ("", "torch.nn.utils.", "nn.utils.", "utils.", "torch.nn.utils.clip_grad.", "clip_grad.")
#: calls that only read parameters or settings for the clip (``self.model.parameters()``, ``config.get(...)``)
_READERS = ("parameters", "named_parameters", "list", "filter", "chain", "values", "get")

_cache: dict = {}


def leading_clip(function: cst.FunctionDef) -> Optional[cst.Call]:
    """The gradient clip the function's body calls before any other call, or None."""
    key = id(function)
    if key not in _cache:
        _cache[key] = (function, _first_clip(function))
    return _cache[key][1]


def _first_clip(function: cst.FunctionDef) -> Optional[cst.Call]:
    finder = _CallOrder()
    function.body.visit(finder)
    for call in finder.calls:
        path = dotted(call.func) or ""
        prefix, _, name = path.rpartition(".")
        if name in _CLIPPERS and (prefix + "." if prefix else "") in _CLIP_PREFIXES:
            return call
        if name not in _READERS:
            return None
    return None


class _CallOrder(cst.CSTVisitor):
    """The calls of a body in the order they run: arguments before the call that takes them."""

    def __init__(self):
        self.calls = []

    def visit_FunctionDef(self, node) -> bool:
        return False  # a nested function runs only when called

    def visit_Lambda(self, node) -> bool:
        return False

    def leave_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def called_helper(node: cst.Call, ctx) -> Optional[cst.FunctionDef]:
    """The function of this file the call runs (``helper(...)``, ``self.method(...)``), or None."""
    func = node.func
    function = None
    if type(func) is cst.Attribute:
        receiver = ctx.value(func.value)
        if receiver.kind == "instance" and receiver.cls is not None and receiver.cls.namespace is None:
            function = receiver.cls.methods.get(func.attr.value)  # (a class of another file has a namespace)
    else:
        callee = ctx.value(func)
        if callee.kind == "func" and not callee.owner:
            function = ctx._function_table(None)[0].get(callee.qual)
    return function if isinstance(function, cst.FunctionDef) else None
