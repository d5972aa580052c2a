"""Loops that visit every entry of a structure one of whose entries carries the graph.

``losses = model.compute_loss(batch)`` returns a dict (or a ``ModelOutput``) whose
structure the analysis cannot see; ``losses["total"].backward()`` proves that one
entry requires grad (``output_fields``). Which others do is not known, so a read of
``losses[key]`` with an unknown key stays unknown. A loop over every entry is
different: ``for key in losses`` (``.keys()``, ``.values()``, ``.items()``) reaches
the proven entry in one of its iterations, so whatever the body does to the entry it
does, in that iteration, to a grad tensor. ``epoch_losses[key] += losses[key]`` then
keeps that entry's graph for the rest of the epoch (GRD502).

Only a body that treats every entry alike counts: a ``continue``/``break``, or an
``if`` that tests the key or the entry (``if key != "total":``), may skip the
proven entry, and then nothing is concluded.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

import libcst as cst

from .syntax import dotted, walk
from .values import Value, tensor

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.For, cst.While)


class EntryLoop(NamedTuple):
    key: Optional[str]  # the loop's key name (``for key in d``, ``for key, v in d.items()``)
    item: Optional[str]  # the loop's entry name (``for v in d.values()``, ``for key, v in d.items()``)
    path: str  # the structure's path
    structure: Value


def entry_names(node: cst.For):
    """(source, path, key name, entry name) of ``for k in d`` / ``d.keys()``, ``for v in d.values()``,
    ``for k, v in d.items()``, a loop that visits every entry of ``d``; else None."""
    source, method = node.iter, ""
    if type(source) is cst.Call and type(source.func) is cst.Attribute and not source.args:
        source, method = source.func.value, source.func.attr.value
    path = dotted(source)
    if path is None or method not in ("", "keys", "values", "items"):
        return None
    target = node.target
    if method == "items" and type(target) is cst.Tuple and len(target.elements) == 2:
        key, item = (_name(element.value) for element in target.elements)
    elif type(target) is cst.Name:
        key, item = (None, target.value) if method == "values" else (target.value, None)
    else:
        return None
    return source, path, key, item


def every_entry_loop(node: cst.For, value_of: Callable[[cst.BaseExpression], Value]) -> Optional[EntryLoop]:
    """The loop's names when it visits every entry of a structure some entry of which a
    ``backward()`` proved to carry the graph, and treats every entry alike."""
    names = entry_names(node)
    if names is None:
        return None
    source, path, key, item = names
    structure = value_of(source)
    if not (structure.kind == "tensor" and structure.struct and structure.has_grad is True and structure.grad is not False):
        return None
    if _filters_entries(node.body, {name for name in (key, item) if name}):
        return None
    return EntryLoop(key, item, path, structure)


def proven_entry(loop: EntryLoop) -> Value:
    """The entry as the body sees it in the iteration that reaches the proven one."""
    return tensor(True, False, deps=loop.structure.deps, through=loop.structure.through)


def _name(node) -> Optional[str]:
    return node.value if type(node) is cst.Name else None


def _filters_entries(body: cst.BaseSuite, names: set) -> bool:
    for part in walk(body, _NESTED):
        if type(part) in (cst.Continue, cst.Break):
            return True
        if type(part) in (cst.If, cst.IfExp, cst.While) and any(
            type(n) is cst.Name and n.value in names for n in walk(part.test)
        ):
            return True
    return False
