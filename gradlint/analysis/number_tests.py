"""Literal numbers, so that a branch test on a parameter bound to one decides which arm runs:
``def pi(self, z, std=0.0)`` called as ``self.model.pi(z)`` in the training forward never takes
``if std > 0: action += noise * std`` (an in-place write on a saved output that only the exploration
calls, under no_grad, make).

A literal number evaluates to a number whose ``qual`` holds its value (``NUM + "0.0"``); any
arithmetic on it, and a join of two different numbers, is a plain number again (``values.join``).
A test is decided as ``branch_tests.string_test`` decides one on a string: a name the walk holds
a literal number for (the caller's walk checks the name is fixed), compared with a literal number.
So is a flag bound to a literal bool compared with one (``if train == False: model.eval()`` of a
tutorial's ``test(model, train=False)``), as ``if not train:`` is.
"""

from __future__ import annotations

import operator
from typing import Optional, Union

import libcst as cst

from .syntax import per_node, walk
from .values import FALSE, NUMBER, TRUE, UNKNOWN, Value

#: the ``qual`` prefix of a literal number's value
NUM = "num:"

_COMPARE = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
}
#: the comparison with its operands swapped (``0 < std`` is ``std > 0``)
_SWAPPED = {
    cst.Equal: cst.Equal,
    cst.NotEqual: cst.NotEqual,
    cst.LessThan: cst.GreaterThan,
    cst.LessThanEqual: cst.GreaterThanEqual,
    cst.GreaterThan: cst.LessThan,
    cst.GreaterThanEqual: cst.LessThanEqual,
}


#: comparisons of a literal bool flag with ``True``/``False``, by whether they hold for equal sides
_BOOL_COMPARE = {cst.Equal: True, cst.Is: True, cst.NotEqual: False, cst.IsNot: False}


def _bool_test(walker, test: cst.Comparison):
    """``train == False`` / ``train is True`` / ``False != train`` of a name the walk holds a literal
    bool for: the name and the truth as a flag's value; None when a side is not a literal bool."""
    comparison = test.comparisons[0]
    name, other = test.left, comparison.comparator
    if type(name) is cst.Name and name.value in ("True", "False"):  # `False == train` (libcst: a Name)
        name, other = other, name
    if type(name) is not cst.Name or type(other) is not cst.Name or other.value not in ("True", "False"):
        return None
    held = walker.lookup(name.value)
    if held is None or held.kind != "number" or held.mode not in (True, False):
        return None
    equal = held.mode == (other.value == "True")
    return name, TRUE if equal == _BOOL_COMPARE[type(comparison.operator)] else FALSE


def literal_number(node: Union[cst.Integer, cst.Float]) -> Value:
    number = _number_of(node)
    return NUMBER if number is None else Value(kind="number", qual=f"{NUM}{number!r}")


def _number_of(node) -> Optional[Union[int, float]]:
    """The value of an int or float literal, negated ones included (``-1``), else None."""
    sign = 1
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        sign, node = -1, node.expression
    if type(node) not in (cst.Integer, cst.Float):
        return None
    try:
        return sign * node.evaluated_value
    except (ValueError, OverflowError):
        return None


def number_test(walker, test: cst.Comparison):
    """``std > 0`` / ``0 < std`` / ``n == 1`` of a name the walk holds a literal number for: the name
    and the truth as a flag's value (unknown when either side is not a literal number)."""
    if len(test.comparisons) == 1 and type(test.comparisons[0].operator) in _BOOL_COMPARE:
        decided = _bool_test(walker, test)
        if decided is not None:
            return decided
    if len(test.comparisons) != 1 or type(test.comparisons[0].operator) not in _COMPARE:
        return test, UNKNOWN
    kind = type(test.comparisons[0].operator)
    name, other = test.left, test.comparisons[0].comparator
    if type(name) is not cst.Name:
        name, other, kind = other, name, _SWAPPED[kind]
    if type(name) is not cst.Name:
        return test, UNKNOWN
    literal = _number_of(other)
    held = walker.lookup(name.value)
    if literal is None or held is None or held.kind != "number" or not held.qual.startswith(NUM):
        return test, UNKNOWN
    try:
        mine = float(held.qual[len(NUM) :])
    except ValueError:
        return test, UNKNOWN
    return name, TRUE if _COMPARE[kind](mine, literal) else FALSE


def plain_number(function: cst.FunctionDef, name: str, value: Value) -> Value:
    """The literal number an argument gives parameter ``name``, kept only when the function compares that
    parameter with a literal number: elsewhere its value decides nothing, and calls passing different
    numbers (``greedy_decode(model, src, mask, 64, 0)`` then ``72``) would be calling contexts of their own,
    past the bound on contexts, and joined into one that knows less."""
    if value.kind != "number" or not value.qual.startswith(NUM) or name in _compared_with_numbers(function):
        return value
    return NUMBER


@per_node
def _compared_with_numbers(function: cst.FunctionDef) -> frozenset:
    names = set()
    for node in walk(function.body):
        if type(node) is cst.Comparison and len(node.comparisons) == 1:
            left, right = node.left, node.comparisons[0].comparator
            for name, other in ((left, right), (right, left)):
                if type(name) is cst.Name and _number_of(other) is not None:
                    names.add(name.value)
    return frozenset(names)
