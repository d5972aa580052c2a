"""Questions about the leaves an expression creates (asked by rules) or reaches."""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .syntax import dotted, kwarg, literal_bool


def creates_leaf(node, ctx) -> bool:
    """Whether an expression is a call that makes a fresh leaf requiring grad."""
    if type(node) is not cst.Call:
        return False
    callee = ctx.value(node.func)
    if callee.kind != "ref":
        return False
    if callee.qual == "torch.nn.Parameter":
        return ctx.value(node).is_leaf_grad
    if callee.qual in api.FACTORIES or callee.qual == "torch.autograd.Variable":
        # `Variable(t, requires_grad=True)` is `t.detach().requires_grad_()`: a fresh leaf
        requires = kwarg(node, "requires_grad")
        return requires is not None and literal_bool(requires.value) is True
    return False


def makes_leaf_in_place(node) -> bool:
    """``torch.zeros(3).requires_grad_()``: the call returns the tensor, now a leaf requiring grad."""
    return (
        type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == "requires_grad_"
        and (not node.args or literal_bool(node.args[0].value) is True)
    )


def made_on_cpu(node, ctx) -> bool:
    """A tensor factory call without ``device=`` (``torch.zeros(3)``): a tensor made on the CPU."""
    if type(node) is not cst.Call or kwarg(node, "device") is not None:
        return False
    callee = ctx.value(node.func)
    return callee.kind == "ref" and callee.qual in api.FACTORIES


def below_trained_model(node, lookup) -> bool:
    """Whether ``node`` (``model.bert.encoder.layer[i].output.dense``) is reached by attributes
    and indexing from a trained model whose class the file does not show (``from_pretrained``,
    ``timm.create_model``, a class of another file given to an optimizer): a part holding a
    ``weight`` there is one of its layers, and every parameter of such a model is a leaf that
    requires grad unless the file freezes it (a freeze of the model, or of a part on the way, is
    in the state ``lookup`` reads)."""
    while True:
        path = dotted(node)
        known = lookup(path) if path is not None else None
        if known is not None:
            return known.kind == "module" and known.cls is None and known.params is True
        if not isinstance(node, (cst.Attribute, cst.Subscript)):
            return False
        node = node.value


def member_after_freeze(member, params):
    """A member of a module (its layer, its parameter) read after ``module.requires_grad_(flag)``
    changed what the class says: ``params`` False (frozen whole), its parameters are leaves that
    do not require grad and its layers have none to train; None (an unknown flag, a freeze on
    some paths), whether they require grad is unknown. Buffers, other tensors and the rest are
    as the class built them: ``requires_grad_`` sets parameters only."""
    if member.kind == "module" and member.params is not False:
        return member.with_(params=params)
    if member.kind == "tensor" and member.leaf and member.grad is True and not member.struct:
        return member.with_(grad=params)
    return member
