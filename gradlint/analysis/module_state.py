"""Recurrent state a module keeps on itself across calls (GRD504).

``lstm_out, self.hidden = self.lstm(x, self.hidden)`` in ``forward`` (an LSTM tagger, an fMRI
classifier), or a spiking neuron's ``self.mem = self.beta * self.mem + current`` fed by a layer:
each call builds the new state on the previous call's graph. A training loop that runs such a
module and backpropagates each iteration frees that graph, so the second iteration's backward()
raises "Trying to backward through the graph a second time" (checked with torch 2.13) unless the
loop resets the state (``model.hidden = model.init_hidden()``, a ``reset(net)`` helper) or
detaches it.

A field is *recurrent* when ``forward`` binds ``self.F`` only from an expression that reads
``self.F`` and builds a graph: it calls a sub-module with parameters or reads a parameter of the
module, or (for a module called by its parent's ``forward`` on the output of a layer) it uses an
argument of ``forward``; another binding that reads the state without adding a graph of its own
keeps it (a neuron's reset by subtraction after the spike). A ``forward`` that also binds the field
otherwise, detaches it, or runs under ``no_grad`` keeps no carried graph, nor does a layer whose
parent's ``forward`` resets its state first. Everything else is unknown, so silent.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Tuple

import libcst as cst

from .syntax import dotted, walk
from .values import ClassInfo

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_CUTS = ("detach", "no_grad", "inference_mode", ".data", "item(")
_CACHE: Dict[Tuple[int, bool], Tuple[ClassInfo, FrozenSet[str]]] = {}
#: how deep sub-modules are followed (a network of layers of neurons)
_MAX_DEPTH = 3


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _self_field(node: cst.CSTNode) -> Optional[str]:
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value
    return None


def _reads(expr: cst.CSTNode, field: str) -> bool:
    return any(_self_field(node) == field for node in walk(expr, prune=_NESTED))


def _graph_parts(expr: cst.CSTNode, cls: ClassInfo, inputs: FrozenSet[str]) -> bool:
    """Whether ``expr`` calls a sub-module with parameters, reads a parameter of the module, or
    uses one of ``inputs`` (arguments of ``forward`` known to carry a graph)."""
    for node in walk(expr, prune=_NESTED):
        if type(node) is cst.Call:
            field = _self_field(node.func)
            member = cls.attrs.get(field) if field else None
            if member is not None and member.kind == "module" and member.params is True:
                return True
        field = _self_field(node)
        member = cls.attrs.get(field) if field else None
        if member is not None and member.is_leaf_grad:
            return True
        if type(node) is cst.Name and node.value in inputs:
            return True
    return False


def _bindings(function: cst.FunctionDef):
    """(field, value expression or None for a binding of unknown value) of each ``self.F`` the
    function binds."""
    for node in walk(function.body, prune=_NESTED):
        if type(node) is cst.Assign:
            for target in node.targets:
                for part in walk(target.target):
                    field = _self_field(part)
                    if field is not None:
                        yield field, node.value
        elif type(node) in (cst.AugAssign, cst.AnnAssign):
            field = _self_field(node.target)
            if field is not None:
                yield field, node.value if type(node) is cst.AugAssign else None
        elif type(node) is cst.For:
            for part in walk(node.target):
                field = _self_field(part)
                if field is not None:
                    yield field, None


def _lazy_initial_values(function: cst.FunctionDef) -> Dict[str, FrozenSet[int]]:
    """field -> ids of the values ``function`` binds ``self.F`` to only under ``if self.F is None:``
    (a state made at the first call, its batch size taken from the input): every later call finds
    the field set and skips the branch, so the binding starts the state, it does not reset it."""
    found: Dict[str, set] = {}
    for node in walk(function.body, prune=_NESTED):
        if type(node) is not cst.If or node.orelse is not None or type(node.test) is not cst.Comparison:
            continue
        test = node.test
        if len(test.comparisons) != 1 or type(test.comparisons[0].operator) is not cst.Is:
            continue
        field = _self_field(test.left)
        none = test.comparisons[0].comparator
        if field is None or type(none) is not cst.Name or none.value != "None":
            continue
        for bound, value in _bindings_in(node.body):
            if bound == field:
                found.setdefault(field, set()).add(id(value))
    return {field: frozenset(ids) for field, ids in found.items()}


def _bindings_in(block: cst.CSTNode):
    for node in walk(block, prune=_NESTED):
        if type(node) is cst.Assign:
            for target in node.targets:
                field = _self_field(target.target)
                if field is not None:
                    yield field, node.value


def recurrent_fields(cls: ClassInfo, graph_input: bool = False, depth: int = 0) -> FrozenSet[str]:
    """The names of the fields ``cls``'s ``forward`` (or a sub-module's, run by it) carries from one
    call to the next with a graph (see the module doc). ``graph_input``: its arguments carry one."""
    key = (id(cls), graph_input)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is cls:
        return cached[1]
    forward = cls.methods.get("forward")
    found: set = set()
    if isinstance(forward, cst.FunctionDef) and depth <= _MAX_DEPTH:
        text = _code(forward)
        if not any(cut in text for cut in _CUTS) and "setattr" not in text:
            params = [p.name.value for p in forward.params.params[1:]]
            inputs = frozenset(params) if graph_input else frozenset()
            carried: Dict[str, bool] = {}
            built: set = set()
            lazy = _lazy_initial_values(forward)
            for field, value in _bindings(forward):
                if id(value) in lazy.get(field, ()):
                    continue  # `if self.mem is None: self.mem = zeros(...)`: the first call's state only
                # every binding reads the state (nothing restarts it) and one builds a graph on it: an
                # update that adds no graph of its own (`self.mem = self.mem - spk * self.threshold`, a
                # neuron's reset by subtraction) keeps the graph the other one built
                carried[field] = carried.get(field, True) and value is not None and _reads(value, field)
                if value is not None and _graph_parts(value, cls, inputs):
                    built.add(field)
            found = {field for field, ok in carried.items() if ok and field in built}
            for node in walk(forward.body, prune=_NESTED):
                if type(node) is not cst.Call:
                    continue
                member = cls.attrs.get(_self_field(node.func) or "")
                if member is None or member.kind != "module" or member.cls is None or member.cls is cls:
                    continue
                fed = any(_graph_parts(arg.value, cls, inputs) for arg in node.args)
                inner = recurrent_fields(member.cls, fed, depth + 1)
                if inner and not _resets(text, inner, member.cls):
                    found |= inner  # (a forward that resets its layers' state first, `self.lif1.reset()`, carries none)
    result = frozenset(found)
    if len(_CACHE) > 5_000:
        _CACHE.clear()
    _CACHE[key] = (cls, result)
    return result


def _resets(text: str, fields: FrozenSet[str], cls: ClassInfo) -> bool:
    """Whether ``text`` (a loop body, a helper it calls) rebinds or detaches a field, or calls a
    method of the class that rebinds one (``model.init_states()``)."""
    if "detach_" in text or "setattr" in text:
        return True
    for field in fields:
        if re.search(r"\." + re.escape(field) + r"\b\s*(=(?!=)|,|\))", text):
            return True
    for name, method in cls.methods.items():
        if name == "forward" or not isinstance(method, cst.FunctionDef):
            continue
        if any(field in fields for field, _ in _bindings(method)) and re.search(r"\." + re.escape(name) + r"\(", text):
            return True
    return False


def stateful_run(ctx, loop: cst.CSTNode) -> Optional[Tuple[str, FrozenSet[str]]]:
    """The module path and recurrent fields of a module object the loop runs (itself, or through a
    helper of the project it passes the module to) without resetting that state in the loop; None
    when there is none, or when the loop (or a helper) may reset or detach it, or runs under no_grad."""
    body = getattr(loop, "body", None)
    if body is None:
        return None
    texts = [_code(body)]
    if any(cut in texts[0] for cut in ("no_grad", "inference_mode", "set_grad_enabled")):
        return None
    found = None
    for node in walk(body, prune=_NESTED):
        if type(node) is not cst.Call:
            continue
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "forward":
            func = func.value
        callee = ctx.value(func)
        if callee.kind == "module" and callee.cls is not None:
            fields = recurrent_fields(callee.cls)
            if fields and found is None:
                found = (dotted(func), fields, callee.cls)
            continue
        if callee.kind != "func":
            continue
        functions, _ = ctx._function_table(callee.owner)
        function = functions.get(callee.qual)
        if not isinstance(function, cst.FunctionDef):
            continue
        helper = _code(function)
        texts.append(helper)
        # a helper of the helper may reset (`reset(net)` before the time steps)
        for inner in walk(function.body, prune=_NESTED):
            if type(inner) is cst.Call and type(inner.func) is cst.Name:
                nested = functions.get(inner.func.value)
                if nested is None:  # imported from another file of the project
                    known = ctx.value(inner.func)
                    nested = ctx._function_table(known.owner)[0].get(known.qual) if known.kind == "func" else None
                if isinstance(nested, cst.FunctionDef) and nested is not function:
                    texts.append(_code(nested))
        params = [p.name.value for p in function.params.params]
        for index, arg in enumerate(node.args):
            if arg.keyword is not None or arg.star or index >= len(params):
                continue
            value = ctx.value(arg.value)
            if value.kind != "module" or value.cls is None:
                continue
            fields = recurrent_fields(value.cls)
            name = params[index]
            runs = re.search(r"\b" + re.escape(name) + r"(\.forward)?\(", helper)
            if fields and runs and found is None and "no_grad" not in helper and "inference_mode" not in helper:
                found = (dotted(arg.value), fields, value.cls)
    if found is None or found[0] is None:
        return None
    path, fields, cls = found
    if any(_resets(text, fields, cls) for text in texts):
        return None
    return path, fields
