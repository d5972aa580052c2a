"""Statements a loop runs on its last iteration only: ``if batch_id + 1 >= len(train_loader):`` in
``for batch_id, (x, y) in enumerate(train_loader):``.

A training script validates once the epoch's last batch has trained (``model.eval()`` and a pass
over the validation set under that test): no later iteration of that loop runs a training forward
in eval mode; the next epoch's loop starts with ``model.train()``. The test must compare the loop's
own index with the length of what it iterates (``enumerate(seq)``, ``range(len(seq))``, ``range(n)``)
so that it holds for the last index alone.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from .syntax import dotted, literal_int, walk

_AT_LEAST = {cst.Equal: "==", cst.GreaterThanEqual: ">=", cst.LessThanEqual: "<="}


def runs_on_last_iteration_only(loop, node) -> bool:
    """``node`` lies in the body of an ``if`` of ``loop``'s body (not of a nested loop) whose test holds
    on the loop's last iteration only."""
    bound = _index_and_length(loop)
    if bound is None or type(loop) is not cst.For:
        return False
    for statement in walk(loop.body, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(statement) is cst.If and _last_index_test(statement.test, *bound):
            if any(inner is node for inner in walk(statement.body)):
                return True
    return False


def ends_the_loop(loop, node) -> bool:
    """``node`` runs on the loop's last iteration only: under a last-index test (as above), or in an arm
    of an ``if`` of the loop's body that leaves the loop (its body ends with ``break`` or ``return``),
    or, in ``while not done:``, under ``if done:`` as the body's last statement (nothing rebinds ``done``
    before the test runs again). An episode's ``if done: agent.update(log_probs)`` backpropagates what the
    episode's steps kept, once, as an update after the loop would."""
    if runs_on_last_iteration_only(loop, node):
        return True
    body = loop.body.body if type(loop.body) is cst.IndentedBlock else ()
    exit_test = _exit_test(loop) if type(loop) is cst.While else None
    for statement in walk(loop.body, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(statement) is not cst.If or not any(inner is node for inner in walk(statement.body)):
            continue
        arm = statement.body.body if type(statement.body) is cst.IndentedBlock else ()
        last = arm[-1].body[-1] if arm and type(arm[-1]) is cst.SimpleStatementLine else None
        if type(last) in (cst.Break, cst.Return):
            return True
        if exit_test is not None and body and body[-1] is statement and dotted(statement.test) == exit_test:
            return True
    return False


def _exit_test(loop: cst.While) -> Optional[str]:
    """``done`` for ``while not done:``: the name whose truth ends the loop."""
    test = loop.test
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        return dotted(test.expression)
    return None


def _index_and_length(loop) -> Optional[Tuple[str, str]]:
    """(the loop's index name, the dotted expression of its length: ``len(seq)`` as ``"len:seq"``, a
    count as its dotted name or literal)."""
    if type(loop) is not cst.For or type(loop.iter) is not cst.Call or not loop.iter.args:
        return None
    func = dotted(loop.iter.func)
    first = loop.iter.args[0].value
    if func == "enumerate" and type(loop.target) is cst.Tuple and loop.target.elements:
        index = loop.target.elements[0].value
        seq = dotted(first)
        if type(index) is cst.Name and seq and len(loop.iter.args) == 1:
            return index.value, f"len:{seq}"
    if func == "range" and len(loop.iter.args) == 1 and type(loop.target) is cst.Name:
        return loop.target.value, _length(first)
    return None


def _length(node) -> Optional[str]:
    if type(node) is cst.Call and dotted(node.func) == "len" and len(node.args) == 1:
        seq = dotted(node.args[0].value)
        return f"len:{seq}" if seq else None
    number = literal_int(node)
    if number is not None:
        return f"int:{number}"
    return dotted(node)


def _offset(node, wanted) -> Optional[int]:
    """``k`` when ``node`` is ``X + k`` / ``X - k`` / ``X`` with ``wanted(X)``, else None."""
    if wanted(node):
        return 0
    if type(node) is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Subtract):
        number = literal_int(node.right)
        if number is not None and wanted(node.left):
            return number if type(node.operator) is cst.Add else -number
        number = literal_int(node.left)
        if number is not None and type(node.operator) is cst.Add and wanted(node.right):
            return number
    return None


def _last_index_test(test, index: str, length: Optional[str]) -> bool:
    """``index + a OP length + b`` that holds only where ``index == length - 1``."""
    if length is None or type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    operator = _AT_LEAST.get(type(target.operator))
    if operator is None:
        return False
    left, right = test.left, target.comparator
    if operator == "<=":
        left, right, operator = right, left, ">="
    is_index = lambda node: type(node) is cst.Name and node.value == index  # noqa: E731
    is_length = lambda node: _length(node) == length  # noqa: E731
    for a_side, b_side in ((left, right), (right, left)) if operator == "==" else ((left, right),):
        a = _offset(a_side, is_index)
        b = _offset(b_side, is_length)
        if a is not None and b is not None and a - b == 1:
            return True
    return False
