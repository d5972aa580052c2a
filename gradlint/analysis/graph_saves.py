"""Graphs that save no tensor: a second backward() through them works. Asked by GRD504.

``gamma = torch.rand(n, requires_grad=True) + 0.1`` (deepinv's implicit-backward test): the graph
between the leaf and ``gamma`` is one ``AddBackward`` of a number, which saves no tensor, so a
backward() through it after an earlier one freed it runs (checked with torch 2.13: ``+``/``-`` of a
number, negation, ``.double()``, ``.to(dtype)``, ``.type(torch.DoubleTensor)``, ``.view``, ``.reshape``,
``.clone()``; ``/ 2.0`` and ``* 2.0`` save a tensor and raise). "Trying to backward through the graph a
second time" is raised only when a freed saved tensor is needed again. A manual update of the name
under ``no_grad`` (``w1 -= lr * w1.grad``) adds nothing to its graph (HandsOnDeepLearningWithPytorch
#2: ``w1 = torch.randn(n, m, requires_grad=True).type(dtype)`` then that update in each iteration).
"""

from __future__ import annotations

import libcst as cst

from .leaves import creates_leaf, makes_leaf_in_place
from .syntax import dotted, walk

#: methods whose backward needs no saved tensor
_SAVING_NOTHING = frozenset(
    {"to", "cuda", "cpu", "double", "float", "half", "type", "view", "reshape", "clone", "contiguous", "squeeze", "unsqueeze"}
)


def saves_nothing(name: str, ctx) -> bool:
    """Every binding of the plain name in the function (at module level, the module's own
    statements) is a fresh leaf put through ops that save no tensor."""
    if "." in name or "[" in name:
        return False
    if ctx.function is not None:
        nodes = walk(ctx.function.body)
    elif ctx.module_node is not None:
        nodes = walk(ctx.module_node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
    else:
        return False
    bindings = 0
    nodes = list(nodes)
    untracked = _under_no_grad(nodes)
    for node in nodes:
        if type(node) is cst.AugAssign and id(node) in untracked:
            continue  # an in-place update with gradients off: no node joins the graph
        if type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr) and _names(node.target, name):
            return False
        if type(node) is cst.Assign and any(_names(t.target, name) for t in node.targets):
            if len(node.targets) != 1 or not _from_leaf(node.value, ctx):
                return False
            bindings += 1
    return bindings > 0


def _names(target, name: str) -> bool:
    return any(type(node) is cst.Name and node.value == name for node in walk(target))


def _from_leaf(node, ctx) -> bool:
    while True:
        if creates_leaf(node, ctx) or makes_leaf_in_place(node):
            return node is not None
        if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _SAVING_NOTHING:
            node = node.func.value
        elif type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
            numbers = [side for side in (node.left, node.right) if _number(side)]
            if len(numbers) != 1:
                return False
            node = node.right if numbers[0] is node.left else node.left
        elif type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
            node = node.expression
        else:
            return False


def _number(node) -> bool:
    """A number literal (``0.1``, ``-1``)."""
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        node = node.expression
    return type(node) in (cst.Integer, cst.Float)


def _under_no_grad(nodes) -> set:
    """The ids of the nodes inside a ``with torch.no_grad():`` / ``torch.inference_mode()`` block."""
    inside = set()
    for node in nodes:
        if type(node) is cst.With and any(_disables(item.item) for item in node.items):
            inside.update(id(child) for child in walk(node.body))
    return inside


def _disables(node) -> bool:
    return type(node) is cst.Call and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("no_grad", "inference_mode")
