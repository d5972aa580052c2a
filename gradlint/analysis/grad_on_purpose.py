"""Forwards the author runs with gradients on purpose, read from the code around them (GRD505).

``with torch.enable_grad():`` inside an evaluation, and the ``except`` arm of a ``try`` whose body
evaluates under ``no_grad`` (falling back to grad mode for a model whose forward needs autograd):
forwards there record a graph because the author asked for it.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, literal_bool, walk


def retries_with_grad(loop) -> frozenset:
    """Ids of the calls in the ``except`` handlers of a ``try`` whose body runs under no_grad.

    ``try: with torch.no_grad(): out = model(x)`` then ``except RuntimeError: out = model(x)``
    (pythae's trainers): the author evaluates without gradients and falls back to grad mode only
    for a model whose forward needs autograd, so that forward's gradients are wanted.
    """
    retries = set()
    for node in walk(loop):
        if type(node) in (cst.Try, cst.TryStar) and runs_without_grad(node.body):
            for handler in node.handlers:
                retries.update(id(call) for call in walk(handler) if type(call) is cst.Call)
    return frozenset(retries)


def enabled_on_purpose(root) -> set:
    """Ids of the calls inside ``with torch.enable_grad():`` (or ``torch.set_grad_enabled(True)``) in
    the function (at module level, the module): the author asked for gradients there, whatever the
    mode around (pytorch_ood's NAC detector runs its model in eval mode under ``enable_grad()`` to
    differentiate hooked activations), so those forwards record a graph on purpose."""
    calls = set()
    if root is None:
        return calls
    for node in walk(root):
        if type(node) is cst.With and any(enables_grad(item.item) for item in node.items):
            calls.update(id(call) for call in walk(node.body) if type(call) is cst.Call)
    return calls


def enables_grad(item) -> bool:
    if type(item) is not cst.Call:
        return False
    name = (dotted(item.func) or "").rsplit(".", 1)[-1]
    if name == "enable_grad":
        return True
    return name == "set_grad_enabled" and len(item.args) == 1 and literal_bool(item.args[0].value) is True


def runs_without_grad(body) -> bool:
    for node in walk(body):
        if type(node) is cst.With:
            for item in node.items:
                call = item.item
                name = dotted(call.func if type(call) is cst.Call else call) or ""
                if name.rsplit(".", 1)[-1] in ("no_grad", "inference_mode"):
                    return True
    return False
