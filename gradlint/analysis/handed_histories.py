"""A history a loop grows, handed afterwards to the update that backpropagates it.

REINFORCE collects the log-probabilities of an episode in a list (``log_probs.append(log_prob)`` in
the step loop, which calls no ``backward()``) and hands the list to an update
(``agent.update_parameters(rewards, log_probs, gamma)``) whose body sums them into a loss and calls
``loss.backward()``: the graphs are kept for that backward on purpose, not leaked by an evaluation.
The callee may also store the items in a field of its object (``agent.store_episode(log_probs,
rewards)`` appending them to ``self.memory``) that another function of the file reads and
backpropagates (``agent.finish_episode()`` sampling the memory into its loss): the same hand-over,
one method later.
Or the collecting function makes the loss itself after the loop (``terms = [-lp * r for r, lp in
zip(rewards, log_probs)]``, ``loss = torch.stack(terms).sum()``) and hands that loss to a method that
backpropagates it (``learner.apply_loss(loss)``, a method of a class of another file), also when the
loss is summed up in place (``loss = 0``, ``loss += loss_x``) and the method backpropagates through
another method of its object (a trainer base class's ``self.model_backward_and_update(loss)`` calling
``self.model_backward(loss)``, which calls ``loss.backward()``).
"""

from __future__ import annotations

from typing import Dict, List

import libcst as cst

from .field_histories import _GROWS, _backpropagates, _reads
from .syntax import walk
from .result_uses import holds_graph

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def handed_to_update(scope: cst.CSTNode, path: str, found: cst.CSTNode, module: cst.Module) -> bool:
    """``path`` (a plain name) is an argument, after ``found`` in ``scope`` (the module's top level when
    None), of a call of a function or method of this file (matched by name) that calls ``backward()``
    and reads the parameter it binds."""
    if "." in path or module is None:
        return False
    scope = scope if scope is not None else module
    functions = _functions_by_name(module)
    finder = _CallsAfter(found, path)
    scope.visit(finder)
    for call, position, keyword in finder.handed:
        func = call.func
        name = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else None
        for function in functions.get(name, ()):
            parameter = _parameter(function, position, keyword, bound_method=type(func) is cst.Attribute)
            if parameter is None:
                continue
            if _backpropagates(function) and _reads_name(function, parameter):
                return True
            if any(_updated_from(field, functions) for field in _fields_grown_from(function, parameter)):
                return True
    return False


def _fields_grown_from(function: cst.FunctionDef, parameter: str) -> set:
    """The fields ``owner.field`` the function grows (``append``/``extend``/``insert``) in a statement
    mentioning ``parameter`` or a loop target bound from it (``for log_prob, ret in zip(log_probs,
    returns): self.memory.append((log_prob, ret))``)."""
    names = {parameter}
    for node in walk(function.body):
        if type(node) is cst.For and any(type(n) is cst.Name and n.value == parameter for n in walk(node.iter)):
            names.update(n.value for n in walk(node.target) if type(n) is cst.Name)
    fields = set()
    for node in walk(function.body):
        if type(node) is not cst.Call or type(node.func) is not cst.Attribute or node.func.attr.value not in _GROWS:
            continue
        owner = node.func.value
        if type(owner) is cst.Attribute and any(
            type(n) is cst.Name and n.value in names for arg in node.args for n in walk(arg.value)
        ):
            fields.add(owner.attr.value)
    return fields


def _updated_from(field: str, functions: Dict[str, List[cst.FunctionDef]]) -> bool:
    """A function of the file reads ``field`` (not only grows it) and calls ``backward()``."""
    return any(_reads(f, field) and _backpropagates(f) for group in functions.values() for f in group)


def loss_handed_to_update(ctx, scope: cst.CSTNode, path: str) -> bool:
    """A name computed from the list ``path`` (through any chain of assignments in ``scope``) that
    holds a graph is passed to a function or method that calls ``backward()``: one of this file
    (matched by name) or a method of the receiver's class, of another file too (``params.update(loss)``).
    A name holding numbers made from the list (``mean = torch.stack(losses).mean().item()``), or a
    callee not known to backpropagate (``writer.add_scalar("loss", mean)``), hands nothing."""
    if "." in path or ctx.module_node is None:
        return False
    scope = scope if scope is not None else ctx.module_node  # (None: the module's top level)
    nodes = list(walk(scope.body if type(scope) is cst.FunctionDef else scope, prune=_SCOPES))
    derived = _derived_names(nodes, path)
    if not derived:
        return False
    functions = None
    for call in nodes:
        if type(call) is not cst.Call or not any(type(a.value) is cst.Name and a.value.value in derived for a in call.args):
            continue
        func = call.func
        receiver = None
        if type(func) is cst.Attribute:
            receiver = ctx.silent_eval(func.value)
            function = _method_of(receiver, func.attr.value)
            candidates = [function] if function is not None else []
        elif type(func) is cst.Name:
            functions = _functions_by_name(ctx.module_node) if functions is None else functions
            candidates = functions.get(func.value, [])
        else:
            continue
        if not any(isinstance(f, cst.FunctionDef) and _backpropagates_through(f, receiver) for f in candidates):
            continue
        if any(type(a.value) is cst.Name and a.value.value in derived and holds_graph(ctx.silent_eval(a.value)) for a in call.args):
            return True
    return False


def _backpropagates_through(function: cst.FunctionDef, receiver, depth: int = 3) -> bool:
    """``function`` calls ``backward()``, or (a method of ``receiver``'s class) calls a method of its
    own object (``self.model_backward(loss)``) that does, looked up on the receiver's class."""
    if _backpropagates(function):
        return True
    if receiver is None or depth == 0 or not function.params.params:
        return False
    own = function.params.params[0].name.value
    for node in walk(function.body):
        if type(node) is cst.Call and type(node.func) is cst.Attribute and type(node.func.value) is cst.Name:
            if node.func.value.value != own:
                continue
            method = _method_of(receiver, node.func.attr.value)
            if isinstance(method, cst.FunctionDef) and method is not function:
                if _backpropagates_through(method, receiver, depth - 1):
                    return True
    return False


def _derived_names(nodes: list, path: str) -> set:
    """The names assigned from an expression that reads ``path`` or a name assigned so (not ``path``),
    also in place (``loss += loss_x``)."""
    carriers = {path}
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if type(node) is cst.AugAssign:
                targets, value = [node.target], node.value
            elif type(node) is cst.Assign:
                targets, value = [t.target for t in node.targets], node.value
            else:
                continue
            if not any(type(part) is cst.Name and part.value in carriers for part in walk(value)):
                continue
            for target in targets:
                for part in walk(target):
                    if type(part) is cst.Name and part.value not in carriers:
                        carriers.add(part.value)
                        changed = True
    carriers.discard(path)
    return carriers


def _method_of(receiver, name: str, depth: int = 4):
    """The method ``name`` of the receiver's class or of one of its known bases, or None."""
    cls = getattr(receiver, "cls", None)
    if cls is None or depth == 0:
        return None
    method = cls.methods.get(name)
    if method is not None:
        return method
    for base in cls.bases:
        method = _method_of(base, name, depth - 1)
        if method is not None:
            return method
    return None


def _functions_by_name(module: cst.Module) -> Dict[str, List[cst.FunctionDef]]:
    found: Dict[str, List[cst.FunctionDef]] = {}
    for node in walk(module):
        if type(node) is cst.FunctionDef:
            found.setdefault(node.name.value, []).append(node)
    return found


def _parameter(function: cst.FunctionDef, position, keyword, bound_method: bool):
    """The name of the parameter an argument binds: by keyword, or by position (past ``self`` of a
    method called on an object)."""
    params = [p.name.value for p in function.params.params]
    if keyword is not None:
        return keyword if keyword in params or function.params.star_kwarg is not None else None
    if bound_method and params and params[0] in ("self", "cls"):
        params = params[1:]
    return params[position] if position < len(params) else None


def _reads_name(function: cst.FunctionDef, name: str) -> bool:
    return any(type(node) is cst.Name and node.value == name for node in walk(function.body))


class _CallsAfter(cst.CSTVisitor):
    """In source order, the calls after ``found`` that take the name ``path`` itself as an argument:
    (call, position, keyword)."""

    def __init__(self, found: cst.CSTNode, path: str) -> None:
        self.found, self.path = found, path
        self.seen = False
        self.handed: list = []

    def visit_Call(self, node: cst.Call) -> bool:
        if self.seen:
            position = 0
            for arg in node.args:
                if arg.star:
                    break
                if type(arg.value) is cst.Name and arg.value.value == self.path:
                    self.handed.append((node, position, arg.keyword.value if arg.keyword else None))
                if arg.keyword is None:
                    position += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if original_node is self.found:
            self.seen = True
