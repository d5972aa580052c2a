"""Small questions about libcst nodes: dotted names, keyword arguments, literals."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .values import Tri


def dotted(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def base_path(node: cst.CSTNode) -> Optional[str]:
    """The dotted path of the tensor an expression views: ``p[:4].data`` -> ``p``."""
    while True:
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute) and node.attr.value in ("data", "T", "mT"):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "view",
            "view_as",
            "reshape",
            "flatten",
            "squeeze",
            "unsqueeze",
            "transpose",
            "permute",
            "narrow",
            "select",
            "expand",
        ):
            node = node.func.value
        else:
            return dotted(node)


def within(path: str, root: str) -> bool:
    """Whether the dotted path ``path`` is ``root`` or something below it (``model.fc`` in ``model``)."""
    return path == root or path.startswith(root + ".")


def literal_bool(node: Optional[cst.CSTNode]) -> Tri:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def kwarg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "operator",
        "equal",
        "colon",
        "dot",
        "star",
        "leading_lines",
        "trailing_whitespace",
        "header",
        "footer",
        "asynchronous",
        "whitespace_before",
        "whitespace_after",
    }
)


_FIELD_CACHE: Dict[type, tuple] = {}


def child_fields(node_type: type) -> tuple:
    fields = _FIELD_CACHE.get(node_type)
    if fields is None:
        fields = tuple(
            name
            for name in node_type.__dataclass_fields__
            if name not in _SKIP_FIELDS and not name.startswith("whitespace") and name != "__slots__"
        )
        _FIELD_CACHE[node_type] = fields
    return fields


def is_grad_attribute(node) -> bool:
    """``p.grad`` or ``p.grad.data``: clearing these clears gradients."""
    if isinstance(node, cst.Attribute) and node.attr.value == "data":
        node = node.value
    return isinstance(node, cst.Attribute) and node.attr.value == "grad"




def literal_int(node) -> Optional[int]:
    """The value of ``3`` or ``-1``, else None."""
    negative = False
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node, negative = node.expression, True
    if isinstance(node, cst.Integer):
        try:
            value = int(node.value, 0)
        except ValueError:
            return None
        return -value if negative else value
    return None


def literal_str(node) -> Optional[str]:
    """The value of a plain string literal (not an f-string, not concatenated), else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


_GENERATORS: Dict[int, tuple] = {}


def is_generator(function: cst.FunctionDef) -> bool:
    """Whether ``yield`` occurs in the function's own body (not in a nested function or class)."""
    cached = _GENERATORS.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    if len(_GENERATORS) > 50_000:
        _GENERATORS.clear()
    found = False
    stack = [function.body]
    while stack and not found:
        node = stack.pop()
        if isinstance(node, cst.Yield):
            found = True
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(node.children)
    _GENERATORS[id(function)] = (function, found)
    return found


_REBOUND: Dict[int, tuple] = {}
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})


def rebound_names(function: cst.FunctionDef) -> Tuple[frozenset, frozenset]:
    """Plain names the function's own body binds again (assignment, loop or ``with`` targets),
    and those it changes in place as a container (``X.append(...)``, ``X[k] = ...``)."""
    cached = _REBOUND.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    if len(_REBOUND) > 50_000:
        _REBOUND.clear()
    found = set()
    changed = set()
    stack = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        targets = []
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in MUTATORS:
            if isinstance(node.func.value, cst.Name):
                changed.add(node.func.value.value)
        if isinstance(node, cst.Assign):
            targets = [target.target for target in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor)):
            targets = [node.target]
        elif isinstance(node, (cst.AsName, cst.NamedExpr)):
            targets = [node.name if isinstance(node, cst.AsName) else node.target]
        while targets:
            target = targets.pop()
            if isinstance(target, cst.Name):
                found.add(target.value)
            elif isinstance(target, (cst.Tuple, cst.List)):
                targets.extend(element.value for element in target.elements)
            elif isinstance(target, cst.StarredElement):
                targets.append(target.value)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                changed.add(target.value.value)
        stack.extend(node.children)
    result = (frozenset(found), frozenset(changed))
    _REBOUND[id(function)] = (function, result)
    return result


def _self_attr(node) -> str:
    """``X`` of ``self.X`` (also under ``self.X[...]``), else ''."""
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return ""


def stores_and_reads(method: cst.FunctionDef) -> Tuple[Set[str], Set[str]]:
    """The ``self`` fields a method stores into and those it mentions at all."""
    stores: Set[str] = set()
    reads: Set[str] = set()
    stack: list = [method.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign):
            for target in node.targets:
                stores.update(_targets(target.target))
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            stores.update(_targets(node.target))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in MUTATORS:
            name = _self_attr(node.func.value)
            if name:
                stores.add(name)
        name = _self_attr(node) if isinstance(node, cst.Attribute) else ""
        if name:
            reads.add(name)
        stack.extend(node.children)
    return stores, reads


def _targets(target) -> List[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _targets(element.value)]
    name = _self_attr(target)
    return [name] if name else []
