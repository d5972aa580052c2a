"""Names a loop binds only in the arms of one ``if``/``elif`` chain on fixed flags.

``if args.pgd: ... elif args.vib: out, mu, logvar = model(x); reg = kl(mu, logvar) else: ...``
inside a training loop, with ``args`` never assigned: every iteration of one run takes the same
arm. An arm that binds ``reg`` binds it before any use in that iteration; an arm that does not
never sees a value bound in another arm, so there ``reg`` still holds what it held before the
loop. The walk joins the arms after the chain and the iterations at the loop head, which would
hand the ``vib`` arm's graph (freed by that iteration's ``backward()``) to the ``pgd`` arm of
the next: a path that cannot happen. For these names the loop head keeps the value from before
the loop (``statements._loop``).
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .fixed_flags import fixed_flag
from .syntax import BINDERS, bound_targets, target_names, walk
from .values import UNKNOWN
from .value_paths import holds_graph

_ARM_BOUND: Dict[int, tuple] = {}
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COUNTED = (*BINDERS, cst.Del)
_EXITS = (cst.Continue, cst.Break, cst.Return, cst.Raise)


def arm_bound_names(loop: cst.CSTNode, function: Optional[cst.FunctionDef], module: Optional[cst.Module], start) -> frozenset:
    """The names whose every binding in ``loop``'s body is a top-level statement of an arm of one
    top-level ``if`` chain whose every test is a fixed flag, with no read of the name in the body
    before that chain, nor in its arm before the binding, and no exit from the arm before it; and
    whose value before the loop (in ``start``) holds no graph: a graph held from before the loop is
    freed by the first iteration's backward() in a run whose arm does not bind the name again."""
    cached = _ARM_BOUND.get(id(loop))
    # the module is part of the key: walked for a caller in another file, the function's globals
    # are not known (``fixed_flag``), and a file's findings must not depend on which was linted first
    if cached is not None and cached[0] is loop and cached[1] is module:
        names = cached[2]
    else:
        if len(_ARM_BOUND) > 10_000:
            _ARM_BOUND.clear()
        names = _arm_bound(loop, function, module)
        _ARM_BOUND[id(loop)] = (loop, module, names)
    if not names:
        return names
    return frozenset(name for name in names if (value := start.env.get(name)) is None or not holds_graph(value))


def _arm_bound(loop, function, module) -> frozenset:
    body = loop.body
    if type(body) is not cst.IndentedBlock:
        return frozenset()
    statements = body.body
    found: set = set()
    excluded: set = set()
    # a `while` test is read before the body at each iteration
    # (read when a chain of fixed arms comes: most loops have none, and their statements are not walked)
    unread: list = [loop.test] if type(loop) is cst.While else []
    read_before: set = set()
    for statement in statements:
        arms = _fixed_arms(statement, function, module) if type(statement) is cst.If else None
        if arms is not None:
            chain_names = set()
            for arm in arms:
                bound, unsafe = _arm_bindings(arm)
                chain_names |= bound
                excluded |= unsafe
            for node in unread:
                read_before |= _reads_of(node)
            unread.clear()
            excluded |= chain_names & (found | read_before)  # bound in two chains, or read before this one
            found |= chain_names
        unread.append(statement)
    candidates = found - excluded
    if not candidates:
        return frozenset()
    # a binding anywhere else in the body (another statement, a nested block, a comprehension)
    counted = _binding_count(loop.body, candidates)
    arm_counted = {}
    for statement in statements:
        arms = _fixed_arms(statement, function, module) if type(statement) is cst.If else None
        for arm in arms or ():
            for inner in arm:
                for name in _bound_by(inner):
                    arm_counted[name] = arm_counted.get(name, 0) + 1
    return frozenset(name for name in candidates if counted.get(name, 0) == arm_counted.get(name, 0))


def _fixed_arms(statement: cst.If, function, module) -> Optional[list]:
    """The statement lists of the chain's arms, when every test in it is a fixed flag."""
    arms = []
    node = statement
    while True:
        if fixed_flag(function, node.test, module) is None or type(node.body) is not cst.IndentedBlock:
            return None
        arms.append(list(node.body.body))
        orelse = node.orelse
        if orelse is None:
            return arms
        if type(orelse) is cst.If:
            node = orelse
            continue
        if type(orelse.body) is not cst.IndentedBlock:
            return None
        arms.append(list(orelse.body.body))
        return arms


def _arm_bindings(arm: list) -> tuple:
    """(names the arm's top-level statements bind, those of them read, or exited past, before
    their first binding in the arm). A name the arm reads and never binds is safe: in a run that
    takes this arm, no other arm binds it, so it holds its value from before the loop."""
    bound: set = set()
    early: set = set()  # read, or exited past, while not yet bound
    exited = False
    for statement in arm:
        names = _bound_by(statement)
        early |= _reads(statement) - bound
        if exited:
            early |= names - bound
        elif any(type(node) in _EXITS for node in walk(statement, _NESTED)):
            exited = True
        bound |= names
    return bound, bound & early


def _reads(statement) -> set:
    """The plain names a statement reads (the targets of its assignments left out)."""
    targets: set = set()
    if type(statement) is cst.SimpleStatementLine:
        for small in statement.body:
            if type(small) in (cst.Assign, cst.AnnAssign):
                for target in small.targets if type(small) is cst.Assign else [small]:
                    targets.update(id(node) for node in walk(target.target) if type(node) is cst.Name)
    return {node.value for node in walk(statement, _NESTED) if type(node) is cst.Name and id(node) not in targets}


def _reads_of(node) -> set:
    return {inner.value for inner in walk(node, _NESTED) if type(inner) is cst.Name}


def _bound_by(statement) -> set:
    """The plain names a simple assignment statement binds (``a = ...``, ``a, (b, c) = ...``)."""
    if type(statement) is not cst.SimpleStatementLine:
        return set()
    names: set = set()
    for small in statement.body:
        if type(small) is cst.Assign:
            for target in small.targets:
                names |= target_names(target.target)
        elif type(small) is cst.AnnAssign and small.value is not None:
            names |= target_names(small.target)
    return names


def _binding_count(root, names: set) -> dict:
    counts: dict = {}
    for node in walk(root, _NESTED):
        if type(node) not in _COUNTED:
            continue
        for target in bound_targets(node):
            for name in target_names(target) & names:
                counts[name] = counts.get(name, 0) + 1
    return counts


def keep_entry(head, start, names: frozenset):
    """``head`` (a loop-head join) with ``names`` holding their values of ``start``, the state
    before the loop, and the freed-graph facts of those names as they were then."""
    if not names:
        return head
    for name in names:
        value = start.env.get(name)
        # unbound before the loop: unknown, as after a join of a path that binds it with one that does not
        head.env[name] = UNKNOWN if value is None else value
    head.freed = (head.freed - names) | (start.freed & names)
    return head
