"""Arguments written as a list or tuple display of names: ``set_mode("eval", [generator, executor])``.

A helper that switches every model of the list it is given (``for m in models: m.eval()``) switches
the caller's models, but the display has no name the callee's parameter can be renamed to
(``arguments.call_renames``). Its elements do: each is the caller's own model, so the switch the
callee's summary reports for the list's elements is replayed on each of them.
"""

from __future__ import annotations

from typing import Dict, Tuple

import libcst as cst

from .submodule_modes import switch_submodules
from .syntax import dotted

#: longer displays are not followed (a switch costs a lookup and a store per element)
MAX_ELEMENTS = 8


def display_members(call: cst.Call, function: cst.FunctionDef, receiver) -> Dict[str, Tuple[str, ...]]:
    """Callee parameter -> the caller's dotted paths listed in the display passed for it, for
    displays of 1 to ``MAX_ELEMENTS`` distinct dotted paths (no starred element, no call)."""
    found: Dict[str, Tuple[str, ...]] = {}
    positional = (list(function.params.posonly_params) + list(function.params.params))[1 if receiver is not None else 0 :]
    by_keyword = {param.name.value for param in list(function.params.params) + list(function.params.kwonly_params)}
    for index, arg in enumerate(call.args):
        if arg.star:
            break  # the positions after `*args` are not known
        if arg.keyword is not None:
            name = arg.keyword.value if arg.keyword.value in by_keyword else None
        else:
            name = positional[index].name.value if index < len(positional) else None
        members = _members(arg.value)
        if name is not None and members:
            found[name] = members
    return found


def _members(node: cst.BaseExpression) -> Tuple[str, ...]:
    if type(node) not in (cst.List, cst.Tuple):
        return ()
    elements = node.elements
    if not 1 <= len(elements) <= MAX_ELEMENTS or any(type(element) is not cst.Element for element in elements):
        return ()
    paths = tuple(dotted(element.value) for element in elements)
    if any(path is None or "(" in path or "[" in path for path in paths) or len(set(paths)) != len(paths):
        return ()
    return paths


def switch_members(walker, call: cst.Call, function: cst.FunctionDef, receiver, param: str, value) -> None:
    """The caller's models listed in the display passed for ``param``, switched as the callee's
    summary says it switched every element of that list (``value``, the list after the call)."""
    elem = value.elem
    if elem is None or elem.kind != "module" or elem.training is None:
        return
    training = elem.training
    for path in display_members(call, function, receiver).get(param, ()):
        current = walker.lookup(path)
        if current is None or current.kind != "module":
            continue
        module = current.with_(training=training)
        for name in [path] + walker._other_names(path):
            walker.state.env[name] = module
            switch_submodules(walker.state.env, name, training)
        for record in walker._loops:
            # switched at the call, as a switch of a callee in another file is (``replay``)
            record.mode_switches.append((call, walker.same_object(path), training))
