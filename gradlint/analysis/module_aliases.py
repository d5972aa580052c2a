"""Other names of one module object: ``parallel_model = model.cuda()``, ``net = nn.DataParallel(model)``.

``model.eval()`` switches the object, so a forward through ``parallel_model`` runs in eval mode
too (a language model's ``evaluate()`` that calls ``model.eval()`` and then runs
``parallel_model(data, hidden)``, bound at module level to ``model.cuda()`` or to
``nn.DataParallel(model, dim=1).cuda()``). A name is another name of ``model`` only when every
binding of it in its scope is such an expression of ``model`` (or of another such name): a name
also bound in any other way is not known to be the same object.
"""

from typing import Dict, Optional

import libcst as cst

from .syntax import dotted, walk
from .usage_scans import bound_names

#: methods of a module that return the module itself
_SELF_RETURNING = frozenset({"cuda", "cpu", "to", "float", "double", "half", "bfloat16", "train", "eval", "requires_grad_", "share_memory", "type"})
#: wrappers whose calls run, switch and clear the module they are given
_WRAPPERS = frozenset({"DataParallel", "DistributedDataParallel"})
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_BINDINGS: Dict[int, tuple] = {}


def _source(expr: cst.BaseExpression) -> Optional[str]:
    """The plain name whose module ``expr`` is (itself, moved or cast, or wrapped), else None."""
    while True:
        if isinstance(expr, cst.Name):
            return expr.value
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SELF_RETURNING:
            expr = func.value
            continue
        name = dotted(func) or ""
        if (name.rsplit(".", 1)[-1] in _WRAPPERS or name == "torch.compile") and expr.args and expr.args[0].keyword is None:
            expr = expr.args[0].value
            continue
        return None


def _bindings(scope: cst.CSTNode) -> dict:
    """name -> the set of names its bindings in ``scope`` are modules of (None: some binding is not)."""
    cached = _BINDINGS.get(id(scope))
    if cached is not None and cached[0] is scope:
        return cached[1]
    found: dict = {}

    def other(name: str) -> None:
        found[name] = None

    root = scope.body if isinstance(scope, cst.FunctionDef) else scope
    for node in walk(root, prune=_NESTED):
        if isinstance(node, cst.Assign):
            source = _source(node.value) if len(node.targets) == 1 else None
            for target in node.targets:
                for bound in walk(target.target):
                    if isinstance(bound, cst.Name) and not isinstance(target.target, cst.Attribute):
                        if source is None or not isinstance(target.target, cst.Name):
                            other(bound.value)
                        elif found.get(bound.value, set()) is not None:
                            found.setdefault(bound.value, set()).add(source)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and isinstance(node.target, cst.Name):
            other(node.target.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            for bound in walk(node.target):
                if isinstance(bound, cst.Name):
                    other(bound.value)
        elif isinstance(node, cst.AsName):
            for bound in walk(node.name):
                if isinstance(bound, cst.Name):
                    other(bound.value)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            other(node.target.value)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                other(item.name.value)
    if isinstance(scope, cst.FunctionDef):
        params = scope.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            other(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                other(star.name.value)
    if len(_BINDINGS) > 20_000:
        _BINDINGS.clear()
    _BINDINGS[id(scope)] = (scope, found)
    return found


def other_module_names(name: str, function: Optional[cst.FunctionDef], module: Optional[cst.Module]) -> list:
    """The other names, in the scope ``name`` belongs to, of the module object ``name`` holds."""
    local = _bindings(function) if function is not None else {}
    if name in local:
        scope_bindings, hidden = local, {}
    elif module is not None:
        scope_bindings, hidden = _bindings(module), local
    else:
        return []
    group = {name}
    changed = True
    while changed:
        changed = False
        for other, sources in scope_bindings.items():
            if other in group or other in hidden or not sources:
                continue
            if sources - {other} and sources - {other} <= group:
                group.add(other)  # `parallel = model.cuda()`: another name of the group
                changed = True
        for member in list(group):
            sources = scope_bindings.get(member)
            if sources and len(sources - {member}) == 1:
                (source,) = sources - {member}
                if source not in group and source not in hidden and scope_bindings.get(source, set()) is not None:
                    group.add(source)  # `model` for `parallel`: the name it was made from
                    changed = True
    group.discard(name)
    return sorted(group)


def made_from(name: str, function: Optional[cst.FunctionDef], module: Optional[cst.Module]) -> list:
    """The names whose module every binding of ``name`` is (moved, cast or wrapped): ``model`` for
    ``dp = nn.DataParallel(model)``, also when ``model`` is a parameter of the function (which
    ``other_module_names`` leaves out, as it may name objects of several calls)."""
    local = _bindings(function) if function is not None else {}
    bindings = local if name in local else (_bindings(module) if module is not None else {})
    sources = bindings.get(name)
    return sorted(sources - {name}) if sources else []


def _made_just_before(block, position: int, alias: str, name: str, group: set) -> bool:
    """The statement before ``position`` of ``block`` that last binds ``alias`` is ``alias = <a
    module of group>`` (``head = model``), and nothing in between binds ``name``."""
    for stmt in reversed(block[:position]):
        smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else (stmt,)
        for small in reversed(smalls):
            if name in bound_names(small):
                return False
            if alias in bound_names(small):
                return (isinstance(small, cst.Assign) and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name) and _source(small.value) in group)
    return False


def keeps_its_module(loop: cst.CSTNode, name: str, function: Optional[cst.FunctionDef],
                     module: Optional[cst.Module]) -> bool:
    """Every binding of the plain ``name`` in the body of ``loop`` binds it to the module object it
    already holds: ``model = model.to(device)``, ``model = best`` (``best`` another name of it in the
    scope, ``other_module_names``), or a name bound from it just before in the same block (``head =
    model; head.fc = nn.Linear(16, 3); model = head``). Any other binding, or none: False."""
    group = {name, *other_module_names(name, function, module)}
    kept = set()
    for block in walk(loop.body, prune=_NESTED):
        if not isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            continue
        statements = list(block.body)
        for position, stmt in enumerate(statements):
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
                    continue
                target = small.targets[0].target
                source = _source(small.value)
                if not isinstance(target, cst.Name) or target.value != name or source is None:
                    continue
                if source in group or _made_just_before(statements, position, source, name, group):
                    kept.add(id(small))
    bindings = [node for node in walk(loop.body, prune=_NESTED)
                if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr, cst.AsName,
                                     cst.CompFor)) and _binds_name(node, name)]
    return bool(bindings) and all(id(node) in kept for node in bindings)


def _binds_name(node: cst.CSTNode, name: str) -> bool:
    """``node`` (an assignment, loop, ``as`` clause or walrus) binds the plain ``name``."""
    if isinstance(node, cst.Assign):
        targets = [target.target for target in node.targets]
    elif isinstance(node, cst.AsName):
        targets = [node.name]
    else:
        targets = [node.target]
    return any(isinstance(part, cst.Name) and part.value == name
               for target in targets if not isinstance(target, (cst.Attribute, cst.Subscript))
               for part in walk(target) if not isinstance(part, (cst.Attribute, cst.Subscript)))
