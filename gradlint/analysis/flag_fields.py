"""Flag fields a method sets to a literal before it calls another method that tests them.

``def train(self): self.is_test = False``, then a loop calling ``self.select_action(state)``, whose
body runs ``if self.is_test: self.dqn.eval()`` (a DQN agent shared by its training and its test
run). The caller hands such a field to the callee's context when it differs from the class's own
value of it (``set_flag``, with ``summaries.switched_fields``); walked for that call, only the arm
the literal chooses runs. Without it, the ``eval()`` of the test arm looked like a switch inside
the training loop (GRD510).

A literal equal to the class's value is not trusted: the class's value of a field joins what every
method stores, and a method summarised before the join (``fields.Fields``) saw only the
constructor's literal. Not when the file sets attributes by name (``setattr(self, key, value)``
from a config), which the walk does not follow, nor for a module's ``training`` flag.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .field_stores import self_assignments
from .syntax import dotted, per_node, walk
from .values import Tri, Value

_SETTERS = frozenset({"setattr", "delattr", "vars"})


def set_flag(value: Value, initial: Optional[Value]) -> bool:
    """A field's value in a caller is a literal bool other than the class's value of it."""
    if value.kind != "number" or value.mode is None:
        return False
    return initial is None or initial.kind != "number" or initial.mode != value.mode


def literal_field_truth(function: Optional[cst.FunctionDef], module: Optional[cst.Module], cls, test, value: Value) -> Tri:
    """True/False when ``test`` is ``self.X`` whose walked value here is a literal bool other than
    the class's value of the field, in a method of ``module`` (a file that sets no attribute by
    name); None otherwise."""
    if type(test) is not cst.Attribute or cls is None:
        return None
    path = dotted(test)
    if path is None or path.count(".") != 1 or not path.startswith("self.") or path.endswith(".training"):
        return None
    if not set_flag(value, cls.attrs.get(path[len("self."):])) or function is None or module is None:
        return None
    functions, opaque = _module_facts(module)
    if opaque or id(function) not in functions:
        return None  # attributes set by name, or a method of another file
    return value.mode


def constructor_field_truth(function: Optional[cst.FunctionDef], module: Optional[cst.Module], test, value: Value) -> Tri:
    """``if self.pnet_type in ["vgg", "vgg16"]:`` in an ``__init__`` that stores the field itself
    (``self.pnet_type = pnet_type``, a literal the call or the default gave): the walk's value of a
    field of the object being built is the one every path here gave it (a join of two strings is
    no string), so the test is decided (``branch_tests.string_test``). Not when the file sets
    attributes by name."""
    if function is None or module is None or function.name.value != "__init__" or value.kind != "number":
        return None
    path = dotted(test)
    if path is None or path.count(".") != 1 or path[len("self.") :] not in self_assignments(function):
        return None
    return None if _module_facts(module)[1] else value.mode


@per_node
def _module_facts(module: cst.Module) -> tuple:
    """(ids of the module's functions, whether it calls ``setattr``/``delattr``/``vars``)."""
    functions, opaque = set(), False
    for node in walk(module):
        if type(node) is cst.FunctionDef:
            functions.add(id(node))
        elif type(node) is cst.Call and type(node.func) is cst.Name and node.func.value in _SETTERS:
            opaque = True
    return frozenset(functions), opaque
