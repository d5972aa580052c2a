"""Modules built with ``inplace=True`` (``self.act = nn.ReLU(inplace=True)``): calling one writes
its argument in place, as ``x.relu_()`` does (GRD201 on a leaf, GRD202 on a tensor an earlier op
saved: ``identity = self.skip(x); x = self.act(x)`` raises at backward, the convolution having
saved ``x``; checked with torch 2.13)."""

from __future__ import annotations

import libcst as cst

from .module_semantics import saves_its_output
from .syntax import dotted, kwarg, literal_bool


class InplaceModules:
    """The paths a file binds to modules built with ``inplace=True`` (a rule's helper)."""

    def __init__(self):
        self._paths = set()

    def note_binding(self, target, ctx, value_node) -> None:
        path = dotted(target)
        if path is None:
            return
        self._paths.discard(path)
        if type(value_node) is cst.Call and ctx.value(value_node).kind == "module":
            flag = kwarg(value_node, "inplace")
            if flag is not None and literal_bool(flag.value) and _writes(value_node):
                self._paths.add(path)

    def any(self) -> bool:
        return bool(self._paths)

    def written_by(self, node: cst.Call, ctx) -> cst.BaseExpression:
        """The argument a call of such a module writes in place, else None."""
        if not self._paths or dotted(node.func) not in self._paths:
            return None  # (asked first: a look-up of the callee is not free)
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return None
        return node.args[0].value if ctx.value(node.func).kind == "module" else None


def overwritten_members(call: cst.Call, ctx) -> list:
    """The members of ``nn.Sequential(...)`` built with ``inplace=True`` right after a library layer
    that keeps its output for backward, behind a layer with parameters (so that output requires
    grad): ``nn.Linear(784, 256), nn.LeakyReLU(0.2, inplace=True), nn.Dropout(0.3, inplace=True)``
    raises "modified by an inplace operation" at backward, the dropout overwriting what the
    activation saved (checked with torch 2.13, and so do ``nn.Sigmoid()``, ``nn.Tanh()``,
    ``nn.ReLU()`` before an in-place ReLU or dropout)."""
    if not (dotted(call.func) or "").endswith("Sequential") or any(arg.keyword is not None or arg.star for arg in call.args):
        return []
    container = ctx.value(call)
    if container.kind != "module" or container.qual != "torch.nn.Sequential" or len(container.items) != len(call.args):
        return []
    found, trained, previous = [], False, None
    for arg, member in zip(call.args, container.items):
        node = arg.value
        library = member.kind == "module" and member.cls is None and bool(member.qual)
        if trained and previous is not None and library and type(node) is cst.Call and _writes(node):
            flag = kwarg(node, "inplace")
            if flag is not None and literal_bool(flag.value) and saves_its_output(previous):
                found.append(node)
        trained = trained or member.kind == "module" and member.params is True
        previous = member if library else None
    return found


def _writes(call: cst.Call) -> bool:
    """A dropout writes in place only with a positive probability: ``nn.Dropout(attn_drop, inplace=True)``
    with ``attn_drop`` a parameter (timm's default ``0.``) may leave its input untouched (checked with
    torch 2.13: ``p=0.0`` runs clean where ``p=0.1`` raises), so it is a write only for a literal ``p > 0``."""
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    if "Dropout" not in name:
        return True
    given = kwarg(call, "p")
    node = given.value if given is not None else (call.args[0].value if call.args and call.args[0].keyword is None else None)
    if type(node) not in (cst.Float, cst.Integer):
        return False
    return float(node.value) > 0
