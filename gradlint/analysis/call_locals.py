"""Local names a function binds to an object it makes in each call.

``def check(module): a = copy.deepcopy(module); a.eval(); out = a(x)`` called for each model of a
list (``for m in models: check(m)``): every call evaluates another object, made there, once. The
caller's loop does not run one model over many batches, as an evaluation loop does, any more than
a loop that builds its model in each iteration (``record.bound``): the callee's local is bound in
each iteration too, only in another scope. So is a parameter given an object the argument makes
(``for config in configs: self.check(Net(), config)``) and not rebound in the body.

Only a name bound nowhere but by ``name = <call>`` counts, and only calls that make something: not
a read of an existing object (``getattr(self, "model")``, ``models.get(key)``, ``next(iter(xs))``),
nor a method of ``self`` or of a parameter (``self.model.to(device)``, ``model.cuda()`` hand back
the same object).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

import libcst as cst

from .arguments import parameters
from .syntax import BINDERS, bound_targets, dotted, own_nodes

#: callables that hand back an object that already exists
_READERS = frozenset({"getattr", "next", "iter", "vars", "globals", "locals", "max", "min", "type", "super"})
#: methods that read a container's entry (the object outlives the call)
_GETTERS = frozenset({"get", "pop", "setdefault", "__getitem__", "popitem", "values", "items", "copy"})

#: methods of a module that hand back the module itself
_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "train", "eval", "requires_grad_"})

_CACHE: Dict[int, Tuple[object, Tuple[FrozenSet[str], FrozenSet[str]]]] = {}


def made_per_call(function: cst.FunctionDef) -> FrozenSet[str]:
    """Names ``function`` binds only by ``name = <call that makes an object>`` (see the module doc)."""
    made, other = _bindings(function)
    return made - other - {param.name.value for param in parameters(function)}


def _bindings(function: cst.FunctionDef) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(names bound by ``name = <call that makes an object>``, names bound in another way), leaving
    out ``a = a.to(device)``, which hands back the same object."""
    cached = _CACHE.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    params = {param.name.value for param in parameters(function)}
    nodes = own_nodes(function)
    made, other = set(), set()
    for node_type in BINDERS:
        for node in nodes.of(node_type):
            targets = bound_targets(node)
            if node_type is cst.Assign and all(type(t) is cst.Name for t in targets):
                if _makes(node.value, params):
                    made.update(t.value for t in targets)
                    continue
                if all(_moved(node.value, t.value) for t in targets):
                    continue  # `a = a.to(device)`: the same object
            other.update(_names(targets))
    result = (frozenset(made), frozenset(other))
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[id(function)] = (function, result)
    return result


def made_arguments(call: cst.Call, function: cst.FunctionDef, receiver, caller) -> FrozenSet[str]:
    """Parameters of ``function`` given, at ``call``, an object the argument makes there
    (``self.check(SimpleNet(), config)``): a new one in each iteration of the caller's loop."""
    callee = parameters(function)[1 if receiver is not None else 0 :]
    made, other = _bindings(function)
    by_name = {param.name.value for param in callee} - made - other  # not rebound in the body
    outer = {param.name.value for param in parameters(caller)} if caller is not None else set()
    found = set()
    for arg, param in zip(call.args, callee):
        if arg.star or arg.keyword is not None:
            break
        if param.name.value in by_name and _makes(arg.value, outer):
            found.add(param.name.value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in by_name and _makes(arg.value, outer):
            found.add(arg.keyword.value)
    return frozenset(found)


def _makes(value, params) -> bool:
    if type(value) is not cst.Call:
        return False
    func = value.func
    if type(func) is cst.Name:
        return func.value not in _READERS
    if type(func) is not cst.Attribute or func.attr.value in _GETTERS:
        return False
    if func.attr.value in _RETURNS_SELF:
        return _makes(func.value, params)  # `copy.deepcopy(m).to(device)`, not `model.cuda()`
    root = (dotted(func) or "").split(".", 1)[0]
    return bool(root) and root not in ("self", "cls") and root not in params


def _moved(value, name: str) -> bool:
    """``name.to(device)`` / ``name.cuda().eval()``: ``name``'s object, handed back."""
    while type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in _RETURNS_SELF:
        value = value.func.value
    return type(value) is cst.Name and value.value == name


def _names(targets) -> set:
    found, stack = set(), list(targets)
    while stack:
        target = stack.pop()
        if type(target) is cst.Name:
            found.add(target.value)
        elif type(target) in (cst.Tuple, cst.List):
            stack.extend(element.value for element in target.elements)
        elif type(target) is cst.StarredElement:
            stack.append(target.value)
    return found
