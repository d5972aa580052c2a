"""Members of an ``enum.Enum`` class of the file, so that a branch test on a phase decides which arm
runs: ``run(Phase.VAL)`` under no_grad never takes ``if phase == Phase.TRAIN: loss.backward()``.

A member evaluates to an unknown value whose ``qual`` names the class and the literal it holds
(``ENUM + "Phase=1"``): two members of one class are equal exactly when their literals are (a member
repeating an earlier member's value is an alias of it). A member whose value is not a literal, or a
class with a base other than the enum classes, stays unknown.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted, per_node
from .values import FALSE, TRUE, UNKNOWN, Value

#: the ``qual`` prefix of an enum member's value
ENUM = "enum:"
#: the classes whose subclasses' class-level assignments are members
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
#: comparisons decided by the two members' identity
_POSITIVE = (cst.Equal, cst.Is)
_NEGATIVE = (cst.NotEqual, cst.IsNot)


def enum_member(module: Optional[cst.Module], obj: Value, attr: str) -> Optional[Value]:
    """The value of ``C.attr`` for ``C`` (``obj``) an enum class of the file, or None."""
    cls = obj.cls
    if module is None or cls is None or cls.namespace is not None:
        return None
    if not cls.bases or not all(base.kind == "ref" and base.qual in _ENUM_BASES for base in cls.bases):
        return None
    for statement in module.body:
        if type(statement) is cst.ClassDef and statement.name.value == cls.name:
            literal = _members(statement).get(attr)
            return None if literal is None else Value(kind="unknown", qual=f"{ENUM}{cls.name}={literal}")
    return None


@per_node
def _members(node: cst.ClassDef) -> dict:
    """``name -> literal source`` for the class body's ``NAME = <literal>`` statements."""
    members = {}
    for line in node.body.body:
        if type(line) is not cst.SimpleStatementLine:
            continue
        for small in line.body:
            if type(small) is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
                literal = _literal(small.value)
                if literal is not None:
                    members[small.targets[0].target.value] = literal
    return members


def _literal(node) -> Optional[str]:
    if type(node) in (cst.Integer, cst.Float, cst.SimpleString):
        return node.value
    if type(node) is cst.Tuple and all(type(e.value) in (cst.Integer, cst.Float, cst.SimpleString) for e in node.elements):
        return "(" + ",".join(e.value.value for e in node.elements) + ")"
    return None


def enum_test(walker, test: cst.Comparison):
    """``phase == Phase.TRAIN`` (either way round, ``!=``, ``is``, ``is not``) of a name bound to a
    member of the same enum class: the name and the truth as a flag's value (unknown otherwise)."""
    if len(test.comparisons) != 1:
        return test, UNKNOWN
    operator = type(test.comparisons[0].operator)
    if operator not in _POSITIVE + _NEGATIVE:
        return test, UNKNOWN
    name, other = test.left, test.comparisons[0].comparator
    if type(name) is not cst.Name:
        name, other = other, name
    if type(name) is not cst.Name or dotted(other) is None:
        return test, UNKNOWN
    mine = walker.lookup(name.value)
    theirs = walker.eval(other)
    if mine is None or not mine.qual.startswith(ENUM) or not theirs.qual.startswith(ENUM):
        return test, UNKNOWN
    if mine.qual.split("=", 1)[0] != theirs.qual.split("=", 1)[0]:
        return test, UNKNOWN  # members of two classes
    same = mine.qual == theirs.qual
    return name, TRUE if same == (operator in _POSITIVE) else FALSE
