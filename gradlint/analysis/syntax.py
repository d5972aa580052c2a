"""Small questions about libcst nodes: dotted names, keyword arguments, literals.

``isinstance`` of a libcst class goes through ``ABCMeta.__instancecheck__`` whenever the
node's type is not that very class (ten times a plain test): hot code tests
``type(node) is cst.Name`` for a class nothing derives from, and ``type(node) in
EXPRESSIONS`` (the sets below) for an abstract one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional, Set

import libcst as cst

from .literals import string_value
from .values import Tri


def node_types(*bases: type) -> frozenset:
    """Every libcst class derived from one of ``bases`` (all are defined once libcst is imported)."""
    found = set()
    pending = list(bases)
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


NODES = node_types(cst.CSTNode)
EXPRESSIONS = node_types(cst.BaseExpression)
COMPOUND_STATEMENTS = node_types(cst.BaseCompoundStatement)
SUITES_AND_COMPOUNDS = node_types(cst.BaseSuite, cst.BaseCompoundStatement)
STATEMENTS = node_types(cst.BaseStatement, cst.BaseSmallStatement)


def per_node(function):
    """Memoise a function of one syntax node by the node's identity. The node is kept beside the
    answer: a cache keyed by ``id`` alone would answer for a new node at a freed node's address."""
    cache: Dict[int, tuple] = {}

    def cached(node):
        hit = cache.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        if len(cache) > 50_000:
            cache.clear()
        answer = function(node)
        cache[id(node)] = (node, answer)
        return answer

    cached.__doc__ = function.__doc__
    return cached


def dotted(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a chain of names, else None."""
    if type(node) is cst.Name:
        return node.value  # most asked of all
    parts = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


VIEWING_METHODS = frozenset(
    "view view_as reshape flatten squeeze unsqueeze transpose t permute narrow select expand".split()
)


def _viewed(node: cst.CSTNode) -> cst.CSTNode:
    """The expression an expression views: ``p[:4].data`` -> ``p``, ``g.view(-1).narrow(0, a, n)`` -> ``g``."""
    while True:
        if type(node) is cst.Subscript:
            node = node.value
        elif type(node) is cst.Attribute and node.attr.value in ("data", "T", "mT"):
            node = node.value
        elif type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in VIEWING_METHODS:
            if dotted(node.func.value) != "torch":
                node = node.func.value
            elif node.args:  # `torch.squeeze(x)` views `x`, not the module
                node = node.args[0].value
            else:
                return node
        else:
            return node


def base_path(node: cst.CSTNode) -> Optional[str]:
    """The dotted path of the tensor an expression views: ``p[:4].data`` -> ``p``."""
    return dotted(_viewed(node))


def views_a_gradient(node: cst.CSTNode) -> bool:
    """``p.grad``, or a view or slice of it (``p.grad.view(-1).narrow(0, a, n)``): a gradient,
    which does not require grad (what ``.grad`` of a known tensor gives)."""
    viewed = _viewed(node)
    return type(viewed) is cst.Attribute and viewed.attr.value == "grad"


def member_path(container: str, index: int) -> str:
    """Where the state keeps the module stored at ``container[index]`` of an ``nn.Sequential``:
    ``model.features.0``, below the container so that rebinding it forgets the member."""
    return f"{container}.{index}"


def member_index(path: str, container: str) -> Optional[int]:
    """The position ``member_path`` wrote into ``path``, when it names a member of ``container``."""
    rest = path[len(container) + 1 :] if path.startswith(container + ".") else ""
    return int(rest) if rest.lstrip("-").isdigit() else None


def within(path: str, root: str) -> bool:
    """Whether the dotted path ``path`` is ``root`` or something below it (``model.fc`` in ``model``)."""
    return path == root or path.startswith(root + ".")


def literal_bool(node: Optional[cst.CSTNode]) -> Tri:
    if type(node) is cst.Name and node.value in ("True", "False"):
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
    if type(node) is cst.Attribute and node.attr.value == "data":
        node = node.value
    return type(node) is cst.Attribute and node.attr.value == "grad"




def literal_int(node) -> Optional[int]:
    """The value of ``3`` or ``-1``, else None."""
    negative = False
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        node, negative = node.expression, True
    if type(node) is cst.Integer:
        try:
            value = int(node.value, 0)
        except ValueError:
            return None
        return -value if negative else value
    return None


def literal_str(node) -> Optional[str]:
    """The value of a plain string literal (not an f-string, not concatenated), else None."""
    if type(node) is cst.SimpleString:
        value = string_value(node)
        return value if isinstance(value, str) else None
    return None


def literal_key(node: cst.Subscript) -> Optional[str]:
    """``"loss"`` of ``out["loss"]``: a single plain string index, else None."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return literal_str(node.slice[0].slice.value)
    return None


#: prune types -> (type of a field's value -> _WALKED, _PRUNED, _SEQUENCE or _OTHER)
_KINDS: Dict[tuple, Dict[type, int]] = {}
_WALKED, _PRUNED, _SEQUENCE, _OTHER = range(1, 5)  # none is 0: a miss is None


def dropped_values(node) -> frozenset:
    """Ids of the calls whose value the statement holding ``node`` throws away: ``node`` itself when
    it is a call, either branch of ``a if c else b`` (``_ = model(x) if warm else None``), the
    receiver of a conversion or an indexing of it."""
    if type(node) is cst.Call:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in _CONVERSIONS:
            # `model(x).detach().cpu().numpy()[0]` alone: the conversion's result is dropped, and so
            # is the forward's output it was made of
            return frozenset((id(node),)) | dropped_values(func.value)
        return frozenset((id(node),))
    if type(node) is cst.Subscript:
        return dropped_values(node.value)
    if type(node) is cst.IfExp:
        return dropped_values(node.body) | dropped_values(node.orelse)
    return frozenset()


#: tensor methods that only convert or move their receiver
_CONVERSIONS = frozenset({"detach", "cpu", "cuda", "numpy", "item", "tolist", "to", "float", "double", "half", "clone"})


def _kind(kinds: Dict[type, int], value_type: type, prune: tuple) -> int:
    # once per type: an isinstance test of libcst's (abstract) node classes is slow
    if issubclass(value_type, cst.CSTNode):
        kind = _PRUNED if issubclass(value_type, prune) else _WALKED
    else:
        kind = _SEQUENCE if issubclass(value_type, (tuple, list)) else _OTHER
    kinds[value_type] = kind
    return kind


def walk(root: cst.CSTNode, prune: tuple = ()):
    """Every node under ``root`` (itself included), not descending into nodes of the ``prune`` types."""
    kinds = _KINDS.get(prune)
    if kinds is None:
        kinds = _KINDS[prune] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        node_type = type(node)
        for name in _FIELD_CACHE.get(node_type) or child_fields(node_type):
            child = getattr(node, name)
            kind = kinds.get(type(child)) or _kind(kinds, type(child), prune)
            if kind == _WALKED:
                stack.append(child)
            elif kind == _SEQUENCE:
                for element in child:
                    if (kinds.get(type(element)) or _kind(kinds, type(element), prune)) == _WALKED:
                        stack.append(element)


#: the nodes that bind names: statements, ``for`` clauses of comprehensions, ``:=``, ``as`` names
BINDERS = (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AsName)


def bound_targets(node) -> tuple:
    """The target expressions ``node`` writes: every target of an assignment chain, the ``as``
    name, the target of any other binder, and ``del``'s target (callers that count a ``del`` as
    a binding pass it; the rest never list one)."""
    node_type = type(node)
    if node_type is cst.Assign:
        return tuple(target.target for target in node.targets)
    if node_type is cst.AsName:
        return (node.name,)
    return (node.target,)


def target_names(target) -> set:
    """The plain names a target binds (``a``, ``a, (b, *c)``)."""
    if type(target) is cst.Name:
        return {target.value}
    if type(target) in (cst.Tuple, cst.List):
        return set().union(*(target_names(element.value) for element in target.elements))
    if type(target) is cst.StarredElement:
        return target_names(target.value)
    return set()


MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "clear"})
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def paired_elements(targets: cst.Tuple, values: cst.Tuple) -> list:
    """(target, value) of a tuple assignment written element for element; none when a side is starred."""
    if len(targets.elements) != len(values.elements) or any(
        type(e) is cst.StarredElement for e in (*targets.elements, *values.elements)
    ):
        return []
    return [(t.value, v.value) for t, v in zip(targets.elements, values.elements)]


@dataclass(frozen=True)
class FunctionFacts:
    """What a function's own body (not its nested functions and classes) does, syntactically."""

    #: ``yield`` occurs in it
    generator: bool
    #: plain names bound again (assignment, loop, ``with ... as``, walrus targets)
    rebound: frozenset
    #: plain names changed in place as a container (``X.append(...)``, ``X[k] = ...``)
    changed: frozenset
    #: ``self`` fields stored into (assigned, augmented, appended to, an item written)
    self_stores: frozenset
    #: ``self`` fields mentioned at all
    self_reads: frozenset
    #: local name -> the ``self`` field it is stored into (``self.d = d``, ``self.add_module("d", d)``),
    #: for names bound once and stored into one field
    field_aliases: Dict[str, str] = field(default_factory=dict, hash=False)
    #: local name -> (the ``self`` field it is read from, the calls that rebind it to a call on
    #: itself): ``model = self.model``, then maybe ``model = DataParallel(model)``, for names not
    #: parameters, bound in no other way, whose field the function never stores into
    field_locals: Dict[str, tuple] = field(default_factory=dict, hash=False)
    #: the names of ``field_aliases`` that a module wrapper may rebind (``d = nn.DataParallel(d)``):
    #: the same parameters as the field's, but not its attributes (``d.module.conv``)
    wrapped_aliases: frozenset = frozenset()


#: the node types ``own_nodes`` lists (the questions asked about function bodies look at no other)
_OWN_TYPES = frozenset(
    {
        cst.Yield,
        cst.Attribute,
        cst.Call,
        cst.Assign,
        cst.AugAssign,
        cst.AnnAssign,
        cst.For,
        cst.While,
        cst.CompFor,
        cst.AsName,
        cst.NamedExpr,
        cst.Return,
        cst.Del,
        cst.Global,
    }
)
_OWN: Dict[int, tuple] = {}


class OwnNodes:
    """The nodes of a function's own body (``walk`` of it pruned at nested functions, classes and
    lambdas), by exact type and in ``walk`` order, and the nested scopes the walk stopped at.

    Every question about what a body does syntactically (its facts, the optimizers it steps,
    the fields it assigns, its returns, what it calls) reads these lists: the body is walked
    once, however many questions are asked.
    """

    __slots__ = ("by_type", "nested")

    def __init__(self, by_type: Dict[type, list], nested: list):
        self.by_type = by_type
        self.nested = nested

    def of(self, node_type: type) -> list:
        return self.by_type.get(node_type, [])


def own_nodes(function: cst.FunctionDef) -> OwnNodes:
    cached = _OWN.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    if len(_OWN) > 50_000:
        _OWN.clear()
    kinds = _KINDS.get(_NESTED_SCOPES)
    if kinds is None:
        kinds = _KINDS[_NESTED_SCOPES] = {}
    by_type: Dict[type, list] = {}
    nested: list = []
    stack = [function.body]
    # ``walk``'s loop, inlined: this runs over every function body of every file
    while stack:
        node = stack.pop()
        node_type = type(node)
        if node_type in _OWN_TYPES:
            listed = by_type.get(node_type)
            if listed is None:
                by_type[node_type] = [node]
            else:
                listed.append(node)
        for name in _FIELD_CACHE.get(node_type) or child_fields(node_type):
            child = getattr(node, name)
            kind = kinds.get(type(child)) or _kind(kinds, type(child), _NESTED_SCOPES)
            if kind == _WALKED:
                stack.append(child)
            elif kind == _SEQUENCE:
                for element in child:
                    kind = kinds.get(type(element)) or _kind(kinds, type(element), _NESTED_SCOPES)
                    if kind == _WALKED:
                        stack.append(element)
                    elif kind == _PRUNED:
                        nested.append(element)
            elif kind == _PRUNED:
                nested.append(child)
    own = OwnNodes(by_type, nested)
    _OWN[id(function)] = (function, own)
    return own


@per_node
def module_nodes(module: cst.Module) -> OwnNodes:
    """Every node of the module (``walk`` of it, nothing pruned), by exact type and in ``walk``
    order: the scans of a whole module read these lists instead of walking it again each."""
    by_type: Dict[type, list] = {}
    for node in walk(module):
        listed = by_type.get(type(node))
        if listed is None:
            by_type[type(node)] = [node]
        else:
            listed.append(node)
    return OwnNodes(by_type, [])


@per_node
def parameter_names(function: cst.FunctionDef) -> FrozenSet[str]:
    """The names of the ``Param`` nodes under the function's parameters (a lambda's in a default
    too). Asked of every function by several scans: its defaults and annotations are walked once."""
    return frozenset(param.name.value for param in walk(function.params) if type(param) is cst.Param)


@per_node
def function_facts(function: cst.FunctionDef) -> FunctionFacts:
    nodes = own_nodes(function)
    rebound: Set[str] = set()
    changed: Set[str] = set()
    stores: Set[str] = set()
    reads: Set[str] = set()
    bindings: Dict[str, int] = {}
    aliases: Dict[str, Set[str]] = {}
    reads_from: Dict[str, str] = {}
    rewraps: Dict[str, list] = {}
    for node in nodes.of(cst.Attribute):
        name = _self_attr(node)
        if name:
            reads.add(name)
    for node in nodes.of(cst.Call):
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in MUTATORS and (node.args or func.attr.value == "clear"):
            # (with no argument only clear() changes a container: `scaler.update()` is no store)
            if type(func.value) is cst.Name:
                changed.add(func.value.value)
            name = _self_attr(func.value)
            if name:
                stores.add(name)
        name = registered_submodule(node)
        if name:
            stores.add(name)
            if type(node.args[1].value) is cst.Name:
                aliases.setdefault(node.args[1].value.value, set()).add(name)
    targets: list = []
    for node in nodes.of(cst.Assign):
        targets.extend(target.target for target in node.targets)
        first = node.targets[0].target
        field_name = _self_attr(first) if len(node.targets) == 1 else ""
        if field_name and type(first) is cst.Attribute and type(node.value) is cst.Name:
            aliases.setdefault(node.value.value, set()).add(field_name)
        elif len(node.targets) == 1 and type(first) is cst.Tuple and type(node.value) is cst.Tuple:
            # `self.G, self.D = G, D`: each name is stored into the field at its position
            for target, value in paired_elements(first, node.value):
                if _self_attr(target) and type(target) is cst.Attribute and type(value) is cst.Name:
                    aliases.setdefault(value.value, set()).add(_self_attr(target))
        elif len(node.targets) == 1 and type(first) is cst.Name and _self_field(node.value):
            reads_from[first.value] = _self_field(node.value)
        elif len(node.targets) == 1 and type(first) is cst.Name and _called_on(node.value, first.value):
            rewraps.setdefault(first.value, []).append(node.value)
    for node_type in BINDERS[1:]:
        for node in nodes.of(node_type):
            targets.extend(bound_targets(node))
    while targets:
        target = targets.pop()
        if type(target) is cst.Name:
            rebound.add(target.value)
            bindings[target.value] = bindings.get(target.value, 0) + 1
        elif type(target) in (cst.Tuple, cst.List):
            targets.extend(element.value for element in target.elements)
        elif type(target) is cst.StarredElement:
            targets.append(target.value)
        elif type(target) in (cst.Subscript, cst.Attribute):
            name = _self_attr(target)
            if name:
                stores.add(name)
            elif type(target) is cst.Subscript and type(target.value) is cst.Name:
                changed.add(target.value.value)
    # a parameter is bound once, at entry, unless the body rebinds it (``self.model = model`` in __init__)
    params = parameter_names(function)
    # `if n_gpu > 1: d = nn.DataParallel(d)`, `self.add_module("d", d)`: wrapped or not, the field's module
    wrapped = {name: calls for name, calls in rewraps.items() if all(_wraps_a_module(call) for call in calls)}
    field_aliases = {
        name: next(iter(fields))
        for name, fields in aliases.items()
        if len(fields) == 1 and bindings.get(name, 0) + (name in params) == 1 + len(wrapped.get(name, ()))
    }
    wrapped_aliases = frozenset(name for name in field_aliases if name in wrapped)
    field_locals = {
        name: (attr, tuple(rewraps.get(name, ())))
        for name, attr in reads_from.items()
        if bindings.get(name) == 1 + len(rewraps.get(name, ()))
        and attr not in stores
        and name not in params
        and name not in field_aliases
    }
    facts = FunctionFacts(
        bool(nodes.of(cst.Yield)),
        frozenset(rebound),
        frozenset(changed),
        frozenset(stores),
        frozenset(reads),
        field_aliases,
        field_locals,
        wrapped_aliases,
    )
    return facts


def registered_submodule(call: cst.Call) -> str:
    """``X`` of ``self.add_module("X", m)`` / ``self.register_module("X", m)``: ``self.X = m`` spelt as a call;
    so is ``self.register_buffer("X", t)`` (``persistent=`` aside): a buffer set on one path and a
    Parameter on the other (``if learnable: self.embed = nn.Parameter(e) else: self.register_buffer("embed", e)``)
    is not known to require grad."""
    func = call.func
    if (
        type(func) is cst.Attribute
        and func.attr.value in ("add_module", "register_module", "register_buffer")
        and type(func.value) is cst.Name
        and func.value.value == "self"
        and len(call.args) == 2 + (func.attr.value == "register_buffer" and len(call.args) == 3)
        and all(arg.keyword is None for arg in call.args[:2])
    ):
        name = literal_str(call.args[0].value)
        return name if name and name.isidentifier() else ""
    return ""


def _self_field(node) -> str:
    """``X`` of exactly ``self.X``, else ''."""
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value
    return ""


def _wraps_a_module(call) -> bool:
    """``nn.DataParallel(m)``, ``DistributedDataParallel(m)``, ``torch.compile(m)``: the module, wrapped."""
    name = dotted(call.func) or ""
    return name.rsplit(".", 1)[-1] in ("DataParallel", "DistributedDataParallel") or name == "torch.compile"


def _called_on(node, name: str) -> bool:
    """``f(name, ...)``: a call whose first argument is the plain name ``name``."""
    return (
        type(node) is cst.Call
        and bool(node.args)
        and node.args[0].keyword is None
        and not node.args[0].star
        and type(node.args[0].value) is cst.Name
        and node.args[0].value.value == name
    )


def _self_attr(node) -> str:
    """``X`` of ``self.X`` (also under ``self.X[...]``), else ''."""
    while type(node) is cst.Subscript:
        node = node.value
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value
    return ""


_FREE: Dict[int, tuple] = {}


def free_names(function: cst.FunctionDef) -> FrozenSet[str]:
    """Names a function's body mentions that are not its parameters (a superset of its free variables)."""
    cached = _FREE.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    if len(_FREE) > 50_000:
        _FREE.clear()
    names = free_names_of(function.body) - parameter_names(function)
    _FREE[id(function)] = (function, names)
    return names


def free_names_of(node: cst.CSTNode) -> FrozenSet[str]:
    """The names mentioned under ``node``."""
    kinds = _KINDS.get(())
    if kinds is None:
        kinds = _KINDS[()] = {}
    names = set()
    stack = [node]
    # ``walk``'s loop, inlined (it runs over the bodies of the classes' methods); a Name holds no other
    while stack:
        current = stack.pop()
        node_type = type(current)
        if node_type is cst.Name:
            names.add(current.value)
            continue
        for attribute in _FIELD_CACHE.get(node_type) or child_fields(node_type):
            child = getattr(current, attribute)
            kind = kinds.get(type(child)) or _kind(kinds, type(child), ())
            if kind == _WALKED:
                stack.append(child)
            elif kind == _SEQUENCE:
                stack.extend(element for element in child if (kinds.get(type(element)) or _kind(kinds, type(element), ())) == _WALKED)
    return frozenset(names)
