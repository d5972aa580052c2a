"""What a function proves about its arguments by backpropagating them.

``x.backward()`` raises unless ``x`` requires grad (``evidence``). A helper that calls
``loss.backward()`` on its parameter on every way out of it therefore proves the same of the
caller's argument, once the call has returned:

    def _update(self, loss):
        if loss is None:
            return
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    loss = compute_loss(self.model, batch)   # from another file: unknown
    self._update(loss)
    total += loss                            # keeps every batch's graph

Only the normal exits count (a ``raise`` hands nothing back), and an exit under a test that the
parameter is ``None`` is the call that had nothing to backpropagate: after it, the argument is
``None`` and nothing is kept. A parameter the body rebinds (``loss = loss + reg``) names another
object at the backward, so it proves nothing of the argument; an augmented assignment
(``loss *= scale``) works in place on the tensor that the backward then proves.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

import libcst as cst

from .syntax import bound_targets, own_nodes, target_names

_BINDING_NODES = (cst.Assign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AsName)


def backpropagated(env: dict, names: Iterable[str]) -> frozenset:
    """The names among ``names`` that hold a tensor known to require grad at this point."""
    return frozenset(name for name in names if (value := env.get(name)) is not None and value.is_grad_tensor)


def proven_at_every_exit(exits: List[frozenset], function: cst.FunctionDef) -> frozenset:
    """The parameters every recorded exit proved, less those the body rebinds."""
    if not exits:
        return frozenset()
    proven = frozenset.intersection(*exits)
    return proven - _rebound(function) if proven else proven


def exit_for_none(blocks: list, names: Iterable[str]) -> frozenset:
    """The names an enclosing ``if <name> is None:`` (``== None``, ``not <name>``) tests, for a
    statement whose body holds the exit being walked (``blocks``: the walker's block stack)."""
    tested = set()
    for level, (statements, index) in enumerate(blocks):
        stmt = statements[index]
        if type(stmt) is not cst.If:
            continue
        inner = blocks[level + 1][0] if level + 1 < len(blocks) else None
        in_body = inner is stmt.body.body if inner is not None else type(stmt.body) is cst.SimpleStatementSuite
        name = _none_tested(stmt.test)
        if in_body and name is not None:
            tested.add(name)
    return frozenset(tested & set(names))


def argument_nodes(call: cst.Call, params: List[cst.Param]) -> Dict[str, cst.BaseExpression]:
    """Parameter name -> the argument expression the call gives it (positions up to a ``*args``,
    and keywords); ``params``: the callee's parameters after a bound ``self``."""
    found: Dict[str, cst.BaseExpression] = {}
    positional = True
    for arg, param in zip(call.args, params + [None] * len(call.args)):
        if arg.star:
            positional = False
            continue
        if arg.keyword is not None:
            found[arg.keyword.value] = arg.value
        elif positional and param is not None:
            found[param.name.value] = arg.value
    return found


def _none_tested(test: cst.BaseExpression) -> Optional[str]:
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not and type(test.expression) is cst.Name:
        return test.expression.value
    if type(test) is cst.Comparison and type(test.left) is cst.Name and len(test.comparisons) == 1:
        target = test.comparisons[0]
        is_none = type(target.comparator) is cst.Name and target.comparator.value == "None"
        if is_none and type(target.operator) in (cst.Is, cst.Equal):
            return test.left.value
    return None


def _rebound(function: cst.FunctionDef) -> frozenset:
    nodes = own_nodes(function)
    names = set()
    for node_type in _BINDING_NODES:
        for node in nodes.of(node_type):
            names.update(name for target in bound_targets(node) for name in target_names(target))
    return frozenset(names)
