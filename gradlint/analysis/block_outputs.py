"""Whether a block class of the project hands back an output its last layer saved for backward.

``nn.Sequential(ConvBNReLU(c, h, 1), ConvBNReLU(h, c, 3))``: the Sequential's output is its last
block's, and that block's ``forward`` ends in ``return self.act(self.bn(self.conv(x)))`` with
``self.act = nn.ReLU()``, which keeps its output for backward. An in-place write into that output
(``out += residual``) then raises at backward() (checked with torch 2.13). A block is known to do so
when every ``return`` of its ``forward`` calls a layer field of the block that does (a library
layer, or a block of the project, followed a few levels down); anything else is unknown."""

from __future__ import annotations

import libcst as cst

from .syntax import own_nodes

_MAX_DEPTH = 3


def returns_saved_output(cls, saves_its_output, depth: int = 0) -> bool:
    forward = cls.methods.get("forward")
    if not isinstance(forward, cst.FunctionDef) or depth > _MAX_DEPTH:
        return False
    returns = own_nodes(forward).of(cst.Return)
    if not returns:
        return False
    for node in returns:
        call = node.value
        if type(call) is not cst.Call or type(call.func) is not cst.Attribute:
            return False
        owner = call.func.value
        if type(owner) is not cst.Name or owner.value != "self":
            return False
        member = cls.attrs.get(call.func.attr.value)
        if member is None or member.kind != "module":
            return False
        if member.cls is None:
            if not (member.qual and saves_its_output(member)):
                return False
        elif member.cls is cls or not returns_saved_output(member.cls, saves_its_output, depth + 1):
            return False
    return True
