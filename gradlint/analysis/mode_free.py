"""Model classes whose behaviour ``eval()`` / ``train()`` cannot change, or of which that is not known.

``model.eval()`` matters only to layers that read the mode: dropout, batch-norm and instance-norm
statistics, recurrent and transformer layers (their dropout), RReLU, and code reading
``self.training``. A class of the project built only of other layers (avalanche's test
``_PlainMLP``: ``nn.Linear`` and ``nn.ReLU`` in ``nn.Sequential``s, "an MLP without Dropout") runs
the same in both modes: a model left in eval mode inside its training loop trains as before.

Asked by GRD510. "Mode-free" is claimed only from what is read: every call in the class's methods
builds a layer of torch's that reads no mode, calls a builtin, a method of the object itself or a
tensor method; every base is ``nn.Module``, another such class, or project code the analysis did
not read (``Value.unread``: its layers are not known, and the rule does not assume them).
"""

from __future__ import annotations

import re
from typing import Callable, Optional

import libcst as cst

from .repeated_closures import bound_in
from .syntax import dotted, walk
from .tensor_members import is_tensor_member
from .values import ClassInfo, Value

#: the last part of a torch name whose layer or function reads the mode
_MODE_DEPENDENT = re.compile(r"(?i)dropout|batch_?norm|instance_?norm|rnn|lstm|gru|transformer|multihead|rrelu")

_BUILTINS = frozenset(
    {"super", "range", "len", "int", "float", "bool", "str", "list", "tuple", "dict", "set", "zip", "enumerate",
     "min", "max", "sum", "abs", "isinstance", "getattr", "setattr", "hasattr", "print", "round", "sorted", "reversed"}
)

#: torch's bases a model class may have whose own code reads no mode: a container's members are
#: the layers built by the calls that make it (``FlowSequential(*steps)`` in ``Glow.__init__``), judged there
_PLAIN_BASES = frozenset({"torch.nn.Module", "torch.nn.Sequential", "torch.nn.ModuleList", "torch.nn.ModuleDict"})

#: libraries whose functions build no torch layer
_PLAIN_LIBRARIES = frozenset(
    {"math", "numpy", "random", "operator", "itertools", "functools", "warnings", "logging", "copy", "collections"}
)

#: torch_geometric's graph layers that read no mode (no dropout, no normalisation statistics, no
#: ``self.training``; checked in its sources): a model of them runs in eval() as in train()
_MODE_FREE_GRAPH_LAYERS = frozenset(
    "GCNConv ChebConv SAGEConv GraphConv TAGConv SGConv LGConv LEConv ResGatedGraphConv ClusterGCNConv GCN2Conv "
    "SSGConv MFConv GatedGraphConv".split()
)

#: methods of a tensor, a list or a module that build no layer
_PLAIN_METHODS = frozenset(
    {"add_module", "append", "extend", "insert", "view", "reshape", "contiguous", "size", "flatten", "permute",
     "transpose", "unsqueeze", "squeeze", "float", "to", "format", "items", "keys", "values", "get", "dim",
     "register_buffer", "register_parameter", "mean", "sum", "t", "matmul", "clone", "detach", "__init__",
     "pop", "update", "setdefault"}
)


def mode_free(cls: ClassInfo, resolve: Callable[[str], Optional[Value]]) -> bool:
    """Whether eval() changes nothing that is known in models of ``cls`` (see the module doc).
    ``resolve``: the value of a module-level name where the class was written."""
    return bool(cls.bases) and _plain_class(cls, resolve, {})


def _plain_class(cls: ClassInfo, resolve, seen: dict) -> bool:
    """The class's own methods and its bases' (a base of no base, a mixin, included) build only layers
    that read no mode. ``seen``: id of a class -> its verdict (False while it is being judged: a cycle)."""
    if id(cls) in seen:
        return seen[id(cls)]
    seen[id(cls)] = False
    if cls.namespace is not None:
        resolve = cls.namespace.env.get
    for base in cls.bases:
        if base.unread or base.kind == "ref" and base.qual in _PLAIN_BASES:
            continue
        if base.kind == "class" and base.cls is not None and _plain_class(base.cls, resolve, seen):
            continue
        return False
    seen[id(cls)] = verdict = all(_builds_plain_layers(method, resolve, seen) for method in cls.methods.values())
    return verdict


def _builds_plain_layers(function: cst.FunctionDef, resolve, seen: dict) -> bool:
    members = _member_loop_names(function)
    local = bound_in(function)
    if local:
        # a local or a parameter (`x` in `forward(self, x)`) is not the module's name it shadows
        outer = resolve
        resolve = lambda name: None if name in local else outer(name)  # noqa: E731
    for node in walk(function.body):
        if type(node) is cst.Attribute and node.attr.value == "training":
            return False
        if type(node) is cst.Call and not _plain_call(node.func, resolve, seen, members):
            return False
    return True


def _member_loop_names(function: cst.FunctionDef) -> frozenset:
    """The names a ``for`` binds to the object's own members (``for block, skip in zip(self.blocks,
    self.skips)``, ``for i, layer in enumerate(self.layers)``): submodules built where the class's
    methods are read, called as ``self.blocks[i](x)`` would be."""
    names = set()
    for node in walk(function.body):
        if type(node) is cst.For and _of_self(node.iter):
            names.update(name.value for name in walk(node.target) if type(name) is cst.Name)
    return frozenset(names)


def _of_self(node: cst.BaseExpression) -> bool:
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value in ("zip", "enumerate", "reversed"):
        return bool(node.args) and all(_of_self(arg.value) for arg in node.args if arg.keyword is None)
    path = dotted(node)
    # (`for module in self:` of a container class: its members)
    return path is not None and (path == "self" or path.startswith("self."))


def _plain_call(func: cst.BaseExpression, resolve, seen: dict, members: frozenset = frozenset()) -> bool:
    if type(func) is cst.Subscript:
        root = func
        while type(root) in (cst.Subscript, cst.Attribute):
            root = root.value
        # an element of a container of the object's (`self.blocks[i](x)`), as a member loop's name
        return type(root) is cst.Name and (root.value == "self" or root.value in members)
    if type(func) is cst.Attribute:
        root = func
        while type(root) is cst.Attribute:
            root = root.value
        if type(root) is cst.Name and root.value in members:
            return True  # a submodule's method, as `self.blocks[i].method()`
        if type(root) is cst.Name and root.value == "self" or type(root) is cst.Call and dotted(root.func) == "super":
            return True  # a method of the object (checked as one of the class's) or a submodule's call
        if type(root) is cst.Call and type(root.func) is cst.Attribute and is_tensor_member(root.func.attr.value):
            # a method of a tensor method's result (`w.unsqueeze(0).btrifact()`, torch 0.4's LU)
            return not _MODE_DEPENDENT.search(func.attr.value)
        head = resolve(root.value) if type(root) is cst.Name else None
        if head is not None and head.kind == "ref" and head.qual.split(".", 1)[0] == "torch":
            return not _MODE_DEPENDENT.search(func.attr.value)
        if head is not None and head.kind == "ref" and head.qual.split(".", 1)[0] in _PLAIN_LIBRARIES:
            return True  # `math.log(2)`, `np.prod(shape)`: no torch layer
        if head is not None and head.kind == "ref" and _graph_layer(f"{head.qual}.{func.attr.value}"):
            return True
        if head is None and is_tensor_member(func.attr.value):
            # a tensor's method on a local or on a call's result (`audio.clamp(-1, 1).short()`; the call
            # is judged as one of its own)
            return not _MODE_DEPENDENT.search(func.attr.value)
        return func.attr.value in _PLAIN_METHODS and not (head is not None and head.kind in ("ref", "namespace", "class"))
    if type(func) is cst.Name:
        if func.value in members or func.value == "self":
            return True  # a submodule called, as `self.blocks[i](x)`; `self(x)` runs the class's forward
        value = resolve(func.value)
        if value is None:
            return func.value in _BUILTINS
        if value.unread:
            return True  # a class of the project left unread: its layers are not known, not assumed
        if value.kind == "ref" and value.qual.split(".", 1)[0] == "torch":
            return not _MODE_DEPENDENT.search(value.qual.rsplit(".", 1)[-1])
        if value.kind == "ref" and _graph_layer(value.qual):
            return True
        if value.kind == "class" and value.cls is not None and value.cls.bases:
            return _plain_class(value.cls, resolve, seen)  # a layer of the project built of such layers
        return value.kind == "builtin" and func.value in _BUILTINS
    return False


def _graph_layer(qual: str) -> bool:
    """``torch_geometric.nn.GCNConv`` (however imported): a layer of ``_MODE_FREE_GRAPH_LAYERS``."""
    return qual.split(".", 1)[0] == "torch_geometric" and qual.rsplit(".", 1)[-1] in _MODE_FREE_GRAPH_LAYERS


def library_name(func: cst.BaseExpression, resolve) -> Optional[str]:
    """The qualified name of a library object written as a dotted name (``nn.Linear`` with
    ``import torch.nn as nn``: ``torch.nn.Linear``), resolved where it is written; else None."""
    path = dotted(func)
    if path is None:
        return None
    head, _, rest = path.partition(".")
    value = resolve(head)
    if value is None or value.kind != "ref":
        return None
    return f"{value.qual}.{rest}" if rest else value.qual


def is_torch_layer_without_mode(func: cst.BaseExpression, resolve) -> bool:
    """``nn.Linear`` / ``torch.nn.ReLU`` (a layer of ``torch.nn``) that reads no mode; a builtin, a
    project class or another torch callable (``torch.hub.load``) is not one."""
    qual = library_name(func, resolve)
    if qual is None:
        return False
    layer = qual.rsplit(".", 1)[-1]
    # a class (``nn.utils.spectral_norm(...)`` is a function, and it reads the mode)
    return qual.startswith("torch.nn.") and layer[:1].isupper() and not _MODE_DEPENDENT.search(layer)
