"""The functions a helper calls in turn, for facts that live a few calls down.

FROMP's Fisher update runs ``logits = self.model(data)`` in evaluation mode and then
``self.cac_jacobian(logits, lc)``, whose loop calls ``self.cac_grad(loss, lc)``, which takes
``torch.autograd.grad``: the forward is differentiated on purpose, two calls below the loop. The
walk records the functions a loop calls itself; these are the ones they call: the file's
functions called by name, and the methods of the helper's own class called on ``self``.
"""

from __future__ import annotations

import libcst as cst

from .syntax import module_nodes, per_node, walk

#: how many calls down to look
MAX_DEPTH = 3


def nested_callees(functions, module_node, module_functions) -> list:
    """The functions (``cst.FunctionDef``) that ``functions`` call, transitively up to ``MAX_DEPTH``
    calls down, excluding ``functions`` themselves."""
    owners = _method_classes(module_node) if module_node is not None else {}
    seen = {id(function) for function in functions}
    found, frontier = [], list(functions)
    for _ in range(MAX_DEPTH):
        following = []
        for function in frontier:
            methods = owners.get(id(function), {})
            for on_self, name in _called_names(function):
                called = methods.get(name) if on_self else module_functions.get(name)
                if isinstance(called, cst.FunctionDef) and id(called) not in seen:
                    seen.add(id(called))
                    found.append(called)
                    following.append(called)
        frontier = following
    return found


@per_node
def _called_names(function: cst.FunctionDef) -> tuple:
    """(on ``self``, name) of the calls ``f(...)`` and ``self.m(...)`` in ``function``'s body."""
    names = []
    for call in (node for node in walk(function.body) if type(node) is cst.Call):
        func = call.func
        if type(func) is cst.Name:
            names.append((False, func.value))
        elif type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "self":
            names.append((True, func.attr.value))
    return tuple(dict.fromkeys(names))


@per_node
def _method_classes(module_node: cst.Module) -> dict:
    """id of each method of the module's classes -> {name: method} of its class."""
    owners = {}
    for node in module_nodes(module_node).of(cst.ClassDef):  # (the module's nodes, listed once for every scan)
        methods = {item.name.value: item for item in node.body.body if type(item) is cst.FunctionDef}
        for method in methods.values():
            owners[id(method)] = methods
    return owners
