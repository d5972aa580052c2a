"""Parameters a function only feeds to models: ``def train(x, y, model, criterion, optimizer)``
whose body uses ``x`` only as ``model(x)``. A batch made with ``requires_grad=True`` in ``main()``
and handed to it is still only a model input (GRD304, which judges a tensor's uses).

While a project function is summarised, the walk keeps the ids of the plain names given straight
to a module call (``model(x)``, ``criterion(out, y)``, ``model.forward(x)``), as GRD304 counts
them; the summary names the parameters every load of which is one of those, and the call marks the
names it passed for them (``Analyzer.fed_to_models``).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .backprop_params import argument_nodes
from .arguments import binds_first, parameters
from .syntax import NODES, child_fields, free_names_of, function_facts, per_node

_SCOPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})


def _loads(body, names: set) -> dict:
    """Name -> its loads under ``body``, for ``names``; a name a nested scope mentions is left out."""
    found: dict = {name: [] for name in names}
    hidden: set = set()
    stack = [body]
    while stack:  # exact type tests: an isinstance test of a libcst class is slow, and none derives from these
        current = stack.pop()
        current_type = type(current)
        if current_type is cst.Name:
            if current.value in found:
                found[current.value].append(current)
        elif current_type in _SCOPES:
            hidden |= free_names_of(current) & names
        elif current_type is cst.Attribute or current_type is cst.Arg:
            stack.append(current.value)  # `x.attr`, `f(k=x)`: the attribute's name, the keyword are no load
        else:
            for field_name in child_fields(current_type):
                child = getattr(current, field_name)
                if type(child) in NODES:
                    stack.append(child)
                elif type(child) is tuple or type(child) is list:
                    stack.extend(element for element in child if type(element) in NODES)
    return {name: loads for name, loads in found.items() if name not in hidden}


@per_node
def _parameter_loads(function: cst.FunctionDef) -> dict:
    """Each parameter of ``function`` never rebound (``self`` aside) -> its loads. Syntax only: a
    function summarised in several contexts is walked for it once, not once per context."""
    rebound = function_facts(function).rebound
    names = {param.name.value for param in parameters(function)} - rebound - {"self"}
    return _loads(function.body, names) if names else {}


def fed_only_to_models(function: cst.FunctionDef, fed: Optional[set]) -> frozenset:
    """The parameters of ``function`` (never rebound) whose every load is a name in ``fed``."""
    if not fed:
        return frozenset()
    loads = _parameter_loads(function)
    return frozenset(name for name, found in loads.items() if found and all(id(load) in fed for load in found))


class ModelInputs:
    """Recording the names fed to models, and marking the arguments a call fed (a mixin of the analyzer)."""

    def _note_model_inputs(self, node: cst.Call, callee) -> None:
        func = node.func
        forward = type(func) is cst.Attribute and func.attr.value == "forward" and self.value(func.value).kind == "module"
        if callee.kind == "module" or forward:
            for arg in node.args:
                if type(arg.value) is cst.Name:
                    self._model_inputs.add(id(arg.value))

    def _mark_fed_arguments(self, names: frozenset, call: cst.Call, function: cst.FunctionDef, receiver) -> None:
        bound = binds_first(function, receiver)
        nodes = argument_nodes(call, parameters(function)[1 if bound else 0 :])
        for name in names:
            node = nodes.get(name)
            if type(node) is cst.Name:
                self.fed_to_models.add(id(node))
