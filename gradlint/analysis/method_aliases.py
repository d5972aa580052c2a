"""Methods run through a field that holds them: ``self.search = self.greedy_search`` in ``__init__``,
then ``self.search(x)`` in ``__call__`` (espnet's ``BeamSearchTransducer`` picks one of its search
methods so).

The methods called without gradients are known by name (``prescan.CalledWithoutGrad``): the field
``search`` called inside a no-grad block, or from a method that some code calls without gradients
(``__call__`` of an object an importer calls under ``@torch.no_grad()``). The methods the field may
hold run so too: each is walked with an unknown grad mode, as a method called there by name is.
"""

from __future__ import annotations

import re
from typing import Dict, Set

import libcst as cst

from .syntax import walk
from .word_starts import found_at_word_start


#: ``self.search = self.greedy_search``, at a word start (``found_at_word_start``: a ``\b`` leading the
#: pattern would make the search try every position of the text)
_HOLDS = re.compile(r"(?m)self\.\w+[ \t]*=[ \t]*self\.\w+[ \t]*(?:$|#|if\b)")


def holds_methods(text: str) -> bool:
    """Whether the text may store a method of ``self`` in a field (a cheap test before the walk)."""
    return not text or found_at_word_start(_HOLDS, text)


def aliased_methods(module: cst.Module, called: Set[str]) -> Set[str]:
    """The methods of the module's classes held by a ``self`` field that ``called`` names, or that a
    method ``called`` names calls; followed until nothing is added."""
    found: Set[str] = set()
    for node in module.body:
        if type(node) is not cst.ClassDef or type(node.body) is not cst.IndentedBlock:
            continue
        methods = {stmt.name.value: stmt for stmt in node.body.body if type(stmt) is cst.FunctionDef}
        held = _held_methods(methods)
        if not held:
            continue
        pending = [name for name in methods if name in called] + [field for field in held if field in called]
        seen: Set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for target in held.get(name, ()):
                found.add(target)
                pending.append(target)
            if name in methods:
                pending.extend(field for field in _self_calls(methods[name]) if field in held)
    return found - called


def _held_methods(methods: Dict[str, cst.FunctionDef]) -> Dict[str, Set[str]]:
    """field -> the methods of the class stored into ``self.<field>`` (not called: the bound method)."""
    held: Dict[str, Set[str]] = {}
    for function in methods.values():
        for node in walk(function.body):
            if type(node) is not cst.Assign or len(node.targets) != 1:
                continue
            target = node.targets[0].target
            if not _self_attribute(target):
                continue
            for value in _choices(node.value):
                if _self_attribute(value) and value.attr.value in methods:
                    held.setdefault(target.attr.value, set()).add(value.attr.value)
    return held


def _choices(value) -> list:
    """The values an expression may be: both arms of ``a if flag else b``, else itself."""
    if type(value) is cst.IfExp:
        return _choices(value.body) + _choices(value.orelse)
    return [value]


def _self_calls(function: cst.FunctionDef) -> Set[str]:
    return {node.func.attr.value for node in walk(function.body) if type(node) is cst.Call and _self_attribute(node.func)}


def _self_attribute(node) -> bool:
    return type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self"
