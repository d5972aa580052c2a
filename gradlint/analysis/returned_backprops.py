"""Whether a caller backpropagates exactly what a function returns, and nothing else.

``result_uses`` asks whether a caller *may* backpropagate a function's result, matching
loosely, because there the answer silences a rule. Here the answer makes one fire: a function
returning ``torch.tensor(losses).mean()`` hands back a tensor that never requires grad, and a
caller running ``loss = total_loss(...)`` then ``(loss / accum).backward()`` raises "element 0
of tensors does not require grad". That holds only when the receiver of ``backward()`` is
computed from the result alone (numbers and literals bring no graph, ``backprop_sources``) and
the call is known to reach this very function:

- a module-level function: ``name(...)`` in its own file, or in a project file that imports it
  (``from m import name``), or ``alias.name(...)`` where ``alias`` is an imported module;
- a method: ``self.name(...)`` in a method of the same class.

A scope that binds the name to anything else, or makes the result require grad again
(``loss.requires_grad_()``, ``loss.requires_grad = True``), proves nothing.
"""

from __future__ import annotations

from typing import List, Optional, Set

import libcst as cst

from .arguments import parameters
from . import imports
from .backprop_sources import computed_only_from
from .callers import files_calling, packing_names, read_text
from .syntax import per_node, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def backpropagated_alone(ctx, function: cst.FunctionDef, class_name: Optional[str]) -> bool:
    """A caller of ``function`` (a method of ``class_name`` when given) backpropagates a value
    computed from its result alone."""
    name = function.name.value
    own = ctx.module_node
    if own is not None and any(_backprops_alone(scope, _own_calls(scope, name, class_name, own)) for scope in _scopes(own)):
        return True
    if class_name is not None or not ctx.path or imports.out_of_time() or name not in packing_names(ctx.source):
        return False
    # the same files as the result cache's key took (``callers.callers_digest``)
    for caller in files_calling(ctx.path, packing_names(ctx.source)):
        # shared with the run (a caller is linted too) and checked as an import is: a caller that does
        # not parse, or nests deeper than libcst's parser survives, tells nothing
        module = imports.parse_checked(read_text(caller), caller)
        if module is None:
            continue
        imported, aliases = _imports(module, name)
        if not imported and not aliases:
            continue
        for scope in _scopes(module):
            if _backprops_alone(scope, _calls(scope, name, imported, aliases)):
                return True
    return False


# (kept per tree: every ``return torch.tensor(...)`` of a file asks again, each of the file's scopes)
@per_node
def _scopes(module: cst.Module) -> list:
    return [module] + [node for node in walk(module) if type(node) is cst.FunctionDef]


@per_node
def _body_nodes(scope) -> list:
    return list(walk(scope.body if type(scope) is cst.FunctionDef else scope, prune=_SCOPES))


def _own_calls(scope, name: str, class_name: Optional[str], module: cst.Module) -> List[cst.Call]:
    if class_name is None:
        return _calls(scope, name, True, set())
    if type(scope) is not cst.FunctionDef or _class_of(module, scope) != class_name:
        return []
    return [
        node
        for node in _body_nodes(scope)
        if type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == name
        and type(node.func.value) is cst.Name
        and node.func.value.value == "self"
    ]


def _calls(scope, name: str, bare: bool, aliases: Set[str]) -> List[cst.Call]:
    if type(scope) is cst.FunctionDef and any(param.name.value == name for param in parameters(scope)):
        return []  # the name is the parameter's here
    found = []
    for node in _body_nodes(scope):
        if type(node) is not cst.Call:
            continue
        func = node.func
        if bare and type(func) is cst.Name and func.value == name:
            found.append(node)
        elif type(func) is cst.Attribute and func.attr.value == name and type(func.value) is cst.Name and func.value.value in aliases:
            found.append(node)
    return found


def _class_of(module: cst.Module, method: cst.FunctionDef) -> Optional[str]:
    found = _method_classes(module).get(id(method))
    return found[1] if found is not None and found[0] is method else None


@per_node
def _method_classes(module: cst.Module) -> dict:
    """id of a statement of a class body -> (the statement, the name of the first such class in ``walk`` order)."""
    classes: dict = {}
    for node in walk(module):
        if type(node) is cst.ClassDef:
            for statement in node.body.body:
                classes.setdefault(id(statement), (statement, node.name.value))
    return classes


def _imports(module: cst.Module, name: str):
    """Whether ``module`` imports ``name`` itself, and the names it binds to imported modules."""
    imported = False
    aliases: Set[str] = set()
    for node in walk(module):
        if type(node) is cst.ImportFrom and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if alias.asname is None and type(alias.name) is cst.Name and alias.name.value == name:
                    imported = True
                elif alias.asname is None and type(alias.name) is cst.Name:
                    aliases.add(alias.name.value)  # `from pkg import helpers`, then `helpers.name(...)`
        elif type(node) is cst.Import:
            for alias in node.names:
                if alias.asname is not None and type(alias.asname.name) is cst.Name:
                    aliases.add(alias.asname.name.value)
                elif type(alias.name) is cst.Name:
                    aliases.add(alias.name.value)
    return imported, aliases


def _backprops_alone(scope, calls: List[cst.Call]) -> bool:
    if not calls:
        return False
    nodes = _body_nodes(scope)
    sources: list = list(calls)
    carriers = _carriers(nodes, sources)
    sources += sorted(carriers)
    for node in nodes:
        if type(node) is cst.Call and _regrads(node, carriers):
            return False
        if type(node) is cst.Assign and any(
            type(t.target) is cst.Attribute and t.target.attr.value == "requires_grad" for t in node.targets
        ):
            return False
    for node in nodes:
        if type(node) is not cst.Call or type(node.func) is not cst.Attribute:
            continue
        method = node.func.attr.value
        if method == "backward" and _from_alone(node.func.value, sources):
            return True
        if method in ("backward", "manual_backward") and len(node.args) == 1 and _from_alone(node.args[0].value, sources):
            return True  # `accelerator.backward(loss)`, `self.manual_backward(loss)`
    return False


def _carriers(nodes: list, sources: list) -> Set[str]:
    """Names every binding of which is computed from a call's result alone (``loss = f(x) / n``)."""
    bindings: dict = {}
    for node in nodes:
        if type(node) is cst.Assign:
            for target in node.targets:
                if type(target.target) is cst.Name:
                    bindings.setdefault(target.target.value, []).append(node.value)
                else:
                    for part in walk(target.target):
                        if type(part) is cst.Name:
                            bindings.setdefault(part.value, []).append(None)
        elif type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr, cst.AsName, cst.CompFor):
            target = getattr(node, "target", None) or getattr(node, "name", None)
            for part in walk(target) if target is not None else ():
                if type(part) is cst.Name:
                    bindings.setdefault(part.value, []).append(None)
    carriers: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, values in bindings.items():
            if name in carriers or any(value is None for value in values):
                continue
            if all(_from_alone(value, sources + sorted(carriers)) for value in values):
                carriers.add(name)
                changed = True
    return carriers


def _from_alone(node: cst.BaseExpression, sources: list) -> bool:
    plain = lambda operand: False  # noqa: E731 - only literals are known to bring no graph here
    # `scaler.scale(loss).backward()`: the scaler multiplies by a number
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "scale" and len(node.args) == 1:
        node = node.args[0].value
    return any(computed_only_from(node, source, plain) is not None for source in sources)


def _regrads(call: cst.Call, carriers: Set[str]) -> bool:
    func = call.func
    return (
        type(func) is cst.Attribute
        and func.attr.value == "requires_grad_"
        and type(func.value) is cst.Name
        and func.value.value in carriers
    )
