"""What a test of whether a value is a list or a tuple says, from the value the walk knows.

Helpers that accept one tensor or several (``listify``: ``x if type(x) == list or type(x) ==
tuple else [x]``, ``x if isinstance(x, (list, tuple)) else [x]``) return their argument or wrap
it. Joining both arms loses the elements of a tuple of graph tensors (a generator's outputs): the
elements of the join are a tensor or a tuple. The test is decided when the value shows its kind:
a tensor (not a model output of unknown structure) is neither a list nor a tuple; a display with
known positions (``(edges_logits, nodes_logits)``) is one of them. A test naming only one of the
two stays undecided (the walk does not tell a list from a tuple), and so does ``type(x) ==`` on a
named tuple (its type is its own class).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted

_CONTAINERS = frozenset({"list", "tuple"})


def container_test_truth(walker, test) -> Optional[bool]:
    """True or False when ``test`` decides whether a known value is a list or a tuple, else None."""
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        truth = container_test_truth(walker, test.expression)
        return None if truth is None else not truth
    if type(test) is cst.BooleanOperation:
        merged = _merged_or(test)  # `type(x) == list or type(x) == tuple`: one test of both classes
        if merged is not None:
            return _decide(walker, *merged)
        left, right = container_test_truth(walker, test.left), container_test_truth(walker, test.right)
        if type(test.operator) is cst.Or:
            return True if True in (left, right) else False if left is False and right is False else None
        return False if False in (left, right) else True if left is True and right is True else None
    found = _tested(walker, test)
    return None if found is None else _decide(walker, *found)


def _decide(walker, subject, classes, exact, negated) -> Optional[bool]:
    if any(walker.lookup(name) is not None for name in classes | {"type", "isinstance"}):
        return None  # a shadowed builtin
    path = dotted(subject)
    value = walker.lookup(path) if path is not None else None
    if value is None:
        return None
    if value.kind == "tensor" and not value.struct or value.kind in ("number", "module", "none"):
        truth = False
    elif value.kind == "seq" and value.items and classes == _CONTAINERS and not (exact and value.keys):
        truth = True
    else:
        return None
    return truth != negated


def _merged_or(test):
    """``type(x) == list or type(x) == tuple`` (or isinstance tests) of one subject, none negated:
    the subject, the union of the classes, whether every test is exact, and False (not negated)."""
    if type(test.operator) is not cst.Or:
        return None
    parts = [_tested(None, side) for side in (test.left, test.right)]
    if any(p is None or p[3] for p in parts) or dotted(parts[0][0]) is None or dotted(parts[0][0]) != dotted(parts[1][0]):
        return None
    return parts[0][0], parts[0][1] | parts[1][1], parts[0][2] and parts[1][2], False


def _tested(walker, test):
    """(subject, classes, exact type test, negated) of ``isinstance(x, C)``, ``type(x) == C``,
    ``type(x) is C`` or ``type(x) in (C1, C2)`` (and their negations), for C among list and tuple."""
    if type(test) is cst.Call and dotted(test.func) == "isinstance" and len(test.args) == 2:
        classes = _classes(test.args[1].value)
        return (test.args[0].value, classes, False, False) if classes else None
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return None
    left = test.left
    if type(left) is not cst.Call or dotted(left.func) != "type" or len(left.args) != 1:
        return None
    operator = type(test.comparisons[0].operator)
    classes = _classes(test.comparisons[0].comparator)
    if not classes:
        return None
    if operator in (cst.Equal, cst.Is, cst.In):
        return left.args[0].value, classes, True, False
    if operator in (cst.NotEqual, cst.IsNot, cst.NotIn):
        return left.args[0].value, classes, True, True
    return None


def _classes(node) -> frozenset:
    """``list``, ``tuple`` or a tuple of them; empty when anything else is named."""
    names = [node] if type(node) is cst.Name else [e.value for e in node.elements] if type(node) in (cst.Tuple, cst.List) else []
    found = {n.value for n in names if type(n) is cst.Name}
    return frozenset(found) if names and len(found) == len(names) and found <= _CONTAINERS else frozenset()
