"""Loops over a display of a model's members, walked once per member: ``for m in (model.stem, model.layer1):``.

Freezing a few named parts of a model is often written as a loop over them, the freeze loop
nested inside (``for module in (model.conv1, model.bn1): for p in module.parameters():
p.requires_grad = False``). Walked as one iteration, the freeze belongs to the loop's name,
``module``, which no other statement names: a later ``model.requires_grad_(True)`` that undoes it
(GRD406), or a training step over those parts, cannot be matched with it. Python runs the body
once per member with the name bound to it, and so does the walk; while it does, a freeze (or
unfreeze) of the name, or of one of its parts, is one of that member's path (``alias_path``).
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from .syntax import dotted
from .usage_scans import binds

#: longer displays are walked as one iteration: each member costs a walk of the body
MAX_MEMBERS = 6


def literal_members(node: cst.For, value_of=None) -> Optional[Tuple[cst.BaseExpression, ...]]:
    """The elements of ``for name in (a.b, a.c):`` / ``[self.x, self.y]``: 2 to ``MAX_MEMBERS`` distinct
    dotted paths of at least two parts (members of an object), or plain names of models
    (``for net in [netG, netD]:``, ``value_of`` tells), the target a plain name that the body never
    binds; else None."""
    if type(node.target) is not cst.Name or type(node.iter) not in (cst.List, cst.Tuple) or node.asynchronous:
        return None
    elements = node.iter.elements
    if not 2 <= len(elements) <= MAX_MEMBERS or any(type(e) is not cst.Element for e in elements):
        return None
    paths = [dotted(e.value) for e in elements]
    if any(path is None or "(" in path for path in paths) or len(set(paths)) != len(paths):
        return None
    plain = [e.value for e in elements if "." not in dotted(e.value)]
    if plain and (value_of is None or any(value_of(name).kind != "module" for name in plain)):
        return None  # (a loop over tensors or numbers needs no walk per element)
    if binds(node.body, node.target.value):
        return None
    return tuple(e.value for e in elements)


def alias_path(aliases: dict, path: Optional[str]) -> Optional[str]:
    """``path`` spelt from the member its head name is bound to in an enclosing loop over members
    (``module.weight`` is ``model.stem.weight`` while the walk is at ``model.stem``)."""
    if path is None or not aliases:
        return path
    head, dot, rest = path.partition(".")
    member = aliases.get(head)
    return f"{member}{dot}{rest}" if member is not None else path
