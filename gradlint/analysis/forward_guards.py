"""Gradients a forward takes only for some callers.

``def forward(self, input_ids, tmp_score=None, tgt_label=None)`` ending in ``if tmp_score is None:
return logits`` / ``else: return probs, torch.autograd.grad(probs[:, tgt_label].sum(), tmp_score)``
(knowledge-neurons' BertForMaskedLM): the forward needs grad mode only when its caller passes
``tmp_score``. A call that leaves every such parameter at its default ``None`` never reaches the
gradient, so that forward does not need grad mode for it.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from .syntax import dotted, walk


def _none_test(test) -> Optional[tuple]:
    """``P is None`` -> (P, False), ``P is not None`` or ``P`` -> (P, True): the parameter, and whether
    the body runs when it is not None."""
    if type(test) is cst.Name:
        return test.value, True
    if type(test) is cst.Comparison and type(test.left) is cst.Name and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if type(target.comparator) is cst.Name and target.comparator.value == "None":
            if type(target.operator) is cst.Is:
                return test.left.value, False
            if type(target.operator) is cst.IsNot:
                return test.left.value, True
    return None


def _takes_gradients(node) -> bool:
    return any(
        type(call) is cst.Call and (dotted(call.func) or "").endswith("autograd.grad") for call in walk(node)
    )


def _ends_block(body) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    if not statements:
        return False
    last = statements[-1]
    return isinstance(last, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Return, cst.Raise)) for small in last.body
    )


def _guards(statements: Sequence, guards: frozenset, found: List[frozenset]) -> None:
    for stmt in statements:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(stmt, cst.If):
            _guard_if(stmt, guards, found)
            test = _none_test(stmt.test)
            if test is not None and not test[1] and stmt.orelse is None and _ends_block(stmt.body):
                guards = guards | {test[0]}  # `if P is None: return ...`: what follows needs P
            continue
        if isinstance(stmt, cst.SimpleStatementLine):
            if _takes_gradients(stmt):
                found.append(guards)
            continue
        # for / while / with / try: their blocks run under the same guards
        if _takes_gradients(stmt):
            blocks = _blocks(stmt)
            if not blocks:
                found.append(guards)
            for block in blocks:
                _suite(block, guards, found)


def _blocks(stmt) -> list:
    """The blocks of a compound statement: its body, ``else``, ``except`` handlers and ``finally``."""
    blocks = []
    body = getattr(stmt, "body", None)
    if isinstance(body, cst.BaseSuite):
        blocks.append(body)
    for name in ("orelse", "finalbody"):
        part = getattr(stmt, name, None)
        if part is not None and isinstance(getattr(part, "body", None), cst.BaseSuite):
            blocks.append(part.body)
    for handler in getattr(stmt, "handlers", ()) or ():
        blocks.append(handler.body)
    if any(not isinstance(block, cst.IndentedBlock) for block in blocks):
        return []  # a one-line block (`for x in y: grad(...)`): not looked into
    return blocks


def _suite(body, guards: frozenset, found: List[frozenset]) -> None:
    if isinstance(body, cst.IndentedBlock):
        _guards(body.body, guards, found)
    elif _takes_gradients(body):
        found.append(guards)


def _guard_if(stmt: cst.If, guards: frozenset, found: List[frozenset]) -> None:
    test = _none_test(stmt.test)
    if _takes_gradients(stmt.test):
        found.append(guards)
    _suite(stmt.body, guards | {test[0]} if test is not None and test[1] else guards, found)
    other = stmt.orelse
    else_guards = guards | {test[0]} if test is not None and not test[1] else guards
    if isinstance(other, cst.If):
        _guard_if(other, else_guards, found)
    elif isinstance(other, cst.Else):
        _suite(other.body, else_guards, found)


def _none_defaults(forward: cst.FunctionDef) -> list:
    """The positional parameters after ``self`` (names), and those whose default is ``None``."""
    params = [p.name.value for p in forward.params.params]
    defaults = {
        p.name.value
        for p in (*forward.params.params, *forward.params.kwonly_params)
        if p.default is not None and type(p.default) is cst.Name and p.default.value == "None"
    }
    return params[1:], defaults


def gradients_unreached(forward: cst.FunctionDef, calls: Sequence[cst.Call]) -> bool:
    """Every ``torch.autograd.grad`` of ``forward`` is guarded by parameters defaulting to ``None``
    that none of ``calls`` passes (by keyword, by position, or through ``*args`` / ``**kwargs``)."""
    found: List[frozenset] = []
    _suite(forward.body, frozenset(), found)
    if not found or not calls:
        return False
    positional, defaults = _none_defaults(forward)
    if any(not guards or not guards <= defaults for guards in found):
        return False
    needed = frozenset().union(*found)
    for call in calls:
        if any(arg.star for arg in call.args):
            return False
        passed = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        count = sum(1 for arg in call.args if arg.keyword is None)
        passed.update(positional[:count])
        if passed & needed:
            return False
    return True
