"""Modules whose class is not known here, made and switched in one expression, or frozen whole.

``model = Generator(4).eval()``, ``net = build(cfg).to(device).eval()``, ``torch.load(path).eval()``:
only an nn.Module has an ``eval()`` (no argument) that hands back the object, and a model loaded or
built in a script that is linted without the file of its class is still one. ``model.eval()`` on a
name says so already; the chained form on a freshly made object says the same, and so does
``model.to(device).eval()`` on a name: ``to()`` hands back the module it moved, the one switched.

``model = Net(); model.requires_grad_(False)`` on such an object: whether it is a module or a
tensor, nothing of it requires grad any more, so a later ``model.eval()`` (which takes an unknown
object for a model with trainable parameters) must not undo that.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .call_shapes import module_path, switched_mode
from .syntax import literal_bool

#: methods of an nn.Module that return the module itself (``Net().to(device).eval()``)
_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "requires_grad_"})


def switched_through(name: str, node: cst.Call) -> Optional[str]:
    """``model.to(device).eval()`` / ``net.cuda().train()``: the name of the module switched, reached
    through methods that return it; None for any other call."""
    if switched_mode(name, node) is None or not isinstance(node.func, cst.Attribute):
        return None
    return module_path(node.func.value)


def made_then_evaluated(name: str, node: cst.Call) -> bool:
    """``Cls(...).eval()`` / ``Cls(...).to(device).train(False)``: an eval-mode switch on an object
    made in the same expression (a call, through methods that return the module)."""
    if switched_mode(name, node) is not False or not isinstance(node.func, cst.Attribute):
        return False
    receiver = node.func.value
    while (
        isinstance(receiver, cst.Call)
        and isinstance(receiver.func, cst.Attribute)
        and receiver.func.attr.value in _RETURNS_SELF
    ):
        receiver = receiver.func.value
    return isinstance(receiver, cst.Call) and isinstance(receiver.func, (cst.Name, cst.Attribute))


def frozen_whole(name: str, node: cst.Call) -> bool:
    """``x.requires_grad_(False)``: nothing of ``x`` requires grad after it (a module or a tensor)."""
    return name == "requires_grad_" and len(node.args) == 1 and literal_bool(node.args[0].value) is False
