"""Flags fixed for a whole function: ``if args.fp16:`` tested again and again, never assigned.

A training function that tests the same setting in several places (``if args.fp16:
scaler.scale(loss).backward() else: loss.backward()``, then ``if args.fp16: scaler.step(opt)
else: opt.step(); opt.zero_grad()``) takes the same side of every test on one run. The walk joins
the two sides after each ``if``; the flags a path took are kept next to the facts that need them
(``State.step_sides``), so a later test of the same flag can tell a path that cannot happen.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from .arguments import parameters
from .syntax import BINDERS, bound_targets, dotted, module_nodes, own_nodes, per_node, target_names, walk

#: calls that set attributes by name
_SETTERS = frozenset({"setattr", "delattr", "vars"})
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def fixed_flag(function: Optional[cst.FunctionDef], test, module: Optional[cst.Module] = None) -> Optional[Tuple[str, bool]]:
    """``(path, side)`` for ``if path:`` (side True) or ``if not path:`` (side False) when ``path``
    is a name or an attribute path that keeps its value for the whole call of ``function``: its
    root is a parameter never rebound or a name bound once outside any loop (``args =
    self.args``), nothing in the body assigns the path, a prefix or an extension of it, nor sets
    attributes by name; not a module's ``training`` flag (``eval()`` and ``train()`` switch it).

    A root the function does not bind is a name of ``module`` (``args = parser.parse_args()`` at
    module level, read by ``def train(): global args``): fixed when the whole module binds it once,
    outside any loop, and no function of the module assigns the path (nor sets attributes by name).
    At module level (``function`` None) the same holds for the module's own loops."""
    side = True
    while type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        test, side = test.expression, not side
    if type(test) not in (cst.Name, cst.Attribute):
        return None
    path = dotted(test)
    if path is None or path.rsplit(".", 1)[-1] == "training":
        return None
    root = path.split(".", 1)[0]
    facts = _facts(function) if function is not None else None
    if facts is None or facts[0].get(root, 0) == 0:
        if module is None:
            return None
        facts, functions = _module_facts(module)  # a global: every scope of the module may assign it
        if function is not None and id(function) not in functions:
            return None  # a function of another file, walked for its caller: not this module's global
    bindings, stores, opaque, in_loops = facts
    if opaque or bindings.get(root, 0) != 1 or root in in_loops:
        return None
    if any(store == path or store.startswith(path + ".") or path.startswith(store + ".") for store in stores):
        return None
    return path, side


@per_node
def _facts(function: cst.FunctionDef) -> tuple:
    """(how many times each plain name is bound, counting parameters; dotted paths assigned;
    whether the body sets attributes by name; the names bound inside a loop)."""
    bindings: Dict[str, int] = {}
    for param in parameters(function):
        bindings[param.name.value] = 1
    for extra in (function.params.star_arg, function.params.star_kwarg):
        if isinstance(extra, cst.Param):
            bindings[extra.name.value] = 1
    nodes = own_nodes(function)
    return _count(nodes.of, bindings, nodes.of(cst.For) + nodes.of(cst.While), _NESTED)


@per_node
def _module_facts(module: cst.Module) -> tuple:
    """``_facts`` of a whole module, every scope in it (the bindings of a global), and the ids of
    the module's functions."""
    nodes = module_nodes(module)
    loops = nodes.of(cst.For) + nodes.of(cst.While)
    facts = _count(nodes.of, {}, loops, ())
    functions = frozenset(id(node) for node in nodes.of(cst.FunctionDef))
    return facts, functions


def _count(nodes_of, bindings: Dict[str, int], loops: list, prune: tuple) -> tuple:
    stores = set()
    targets: list = []
    for node_type in (*BINDERS, cst.Del):
        for node in nodes_of(node_type):
            targets.extend(bound_targets(node))
    while targets:
        target = targets.pop()
        if type(target) is cst.Name:
            bindings[target.value] = bindings.get(target.value, 0) + 1
        elif type(target) in (cst.Tuple, cst.List):
            targets.extend(element.value for element in target.elements)
        elif type(target) is cst.StarredElement:
            targets.append(target.value)
        elif type(target) is cst.Attribute:
            path = dotted(target)
            if path is not None:
                stores.add(path)
    opaque = any(type(node.func) is cst.Name and node.func.value in _SETTERS for node in nodes_of(cst.Call))
    return (bindings, frozenset(stores), opaque, _bound_in_loops(loops, prune))


def _bound_in_loops(loops, prune: tuple) -> frozenset:
    """The plain names bound inside ``loops`` (a ``for``'s own target included), not descending into
    ``prune`` types: ``loops`` are every ``for`` and ``while`` of a scope (``own_nodes`` lists them,
    no walk of the scope is needed), and a loop met inside one walked already is not walked again."""
    in_loops: set = set()
    walked: set = set()
    for loop in loops:
        if id(loop) in walked:
            continue
        for node in walk(loop, prune):
            node_type = type(node)
            if node_type in BINDERS:
                in_loops.update(name for target in bound_targets(node) for name in target_names(target))
            if node_type is cst.For or node_type is cst.While:
                walked.add(id(node))
    return frozenset(in_loops)


def contradicts(constraints, sides) -> bool:
    """Whether a fact that holds only where the flags took ``constraints`` ((path, side) pairs)
    can be seen on a path that took ``sides``: not when one flag took both sides."""
    return any((path, not side) in sides for path, side in constraints)
