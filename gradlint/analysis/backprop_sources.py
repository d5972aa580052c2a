"""What a ``backward()`` proves about the value a loss was computed from.

``loss.backward()`` proves that ``loss`` requires grad (``evidence``). When ``loss`` is
computed from one other value alone, through operations that keep the graph, that value
carries the graph too:

    losses = self.model.calculate_loss(batch)
    loss = sum(losses) if isinstance(losses, tuple) else losses
    loss.backward()
    history.append(losses)          # keeps every batch's graph

``sum(losses)`` requires grad only if some element of ``losses`` does, ``losses.mean()`` only
if ``losses`` does, and ``losses * 0.5`` likewise: a number, a literal or a shape argument
brings no graph of its own. As soon as another value could bring the graph
(``sum(losses) + reg``, ``criterion(out, y)`` with both unknown), nothing is concluded: which
operand requires grad is not known.
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from .syntax import dotted

#: Methods and builtins whose result requires grad exactly when their (only tensor) operand does.
_KEEPING_METHODS = frozenset(
    {"sum", "mean", "float", "double", "half", "squeeze", "unsqueeze", "view", "reshape", "flatten", "to", "cuda", "clone", "contiguous", "abs", "norm"}
    | {"log", "exp", "log_softmax", "softmax", "sigmoid", "tanh", "neg"}
)
_KEEPING_FUNCTIONS = frozenset({"sum", "torch.sum", "torch.mean", "torch.stack", "torch.cat"})

_CONSTANTS = (cst.Integer, cst.Float, cst.SimpleString)


def computed_only_from(
    node: cst.BaseExpression, name, plain: Callable[[cst.BaseExpression], bool], index_loss: Callable[[cst.Call], bool] = lambda call: False
) -> Optional[bool]:
    """True when ``node`` is ``name`` itself (on every branch of a conditional expression), False when
    it is computed from ``name`` alone through graph-keeping operations, None otherwise. ``plain``
    tells whether another operand is known to carry no graph (a number). ``name`` may also be an
    expression node, matched by identity (``torch.tensor(parts).sum()`` is computed from the call).
    ``index_loss`` tells a loss whose target is class indices (``F.nll_loss(log_probs, y)``): an
    integer tensor never requires grad, so the loss carries its input's graph alone."""
    if node is name or isinstance(node, cst.Name) and node.value == name:
        return True
    if isinstance(node, cst.IfExp):
        body, orelse = computed_only_from(node.body, name, plain, index_loss), computed_only_from(node.orelse, name, plain, index_loss)
        if body is None or orelse is None:
            return None
        return body and orelse
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)):
        divides = isinstance(node.operator, cst.Divide)
        for operand, other in ((node.left, node.right), (node.right, node.left)):
            # a divisor (a count, a number of accumulation steps) brings no graph, as in `evidence`
            keeps = isinstance(other, _CONSTANTS) or plain(other) or divides and other is node.right
            if keeps and computed_only_from(operand, name, plain, index_loss) is not None:
                return False
        return None
    if isinstance(node, cst.Subscript):
        return False if computed_only_from(node.value, name, plain, index_loss) is not None else None
    if isinstance(node, cst.Call):
        args = [arg for arg in node.args if arg.keyword is None]
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _KEEPING_METHODS:
            if computed_only_from(func.value, name, plain, index_loss) is None:
                return None
            return False if all(isinstance(a.value, _CONSTANTS) or plain(a.value) for a in args) else None
        if dotted(func) in _KEEPING_FUNCTIONS and len(args) == 1 and not args[0].star:
            return False if computed_only_from(_elements_of(args[0].value), name, plain) is not None else None
        if len(args) == 2 and len(node.args) == 2 and not any(a.star for a in args) and index_loss(node):
            return False if computed_only_from(args[0].value, name, plain, index_loss) is not None else None
    return None


def _elements_of(node: cst.BaseExpression) -> cst.BaseExpression:
    """What ``sum(...)`` adds up, as far as its graph goes: ``d`` for ``d.values()``, and for a
    generator of the elements themselves (``loss for loss in d.values()``), what it iterates."""
    if isinstance(node, (cst.GeneratorExp, cst.ListComp)):
        loop = node.for_in
        same = isinstance(loop.target, cst.Name) and isinstance(node.elt, cst.Name) and node.elt.value == loop.target.value
        if not same or loop.ifs or loop.inner_for_in is not None or loop.asynchronous is not None:
            return node
        node = loop.iter
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "values" and not node.args:
        return node.func.value
    return node

