"""Small questions about torch calls and the values they make, asked by ``torch_semantics``."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from . import torch_api as api
from .syntax import dotted, kwarg, literal_bool, literal_int, literal_str, member_path
from .values import Value, seq


def returns_indices(name: str, node: cst.Call, args, skip: int) -> bool:
    """``x.max(1)``, ``torch.sort(x)``, ``x.topk(k)``: a ``(values, indices)`` pair (``skip``: the
    positional arguments before the dimension, the tensor itself for ``torch.max(x, 1)``)."""
    if name in api.VALUES_INDICES:
        return True
    if name not in api.VALUES_INDICES_WITH_DIM:
        return False
    if kwarg(node, "dim") is not None:
        return True
    positional = [value for arg, (_, value) in zip(node.args, args) if arg.keyword is None and not arg.star]
    # `x.max(y)` with a tensor `y` is elementwise: only a number is a dimension
    return len(positional) > skip and positional[skip].kind == "number"


def copies_a_tensor(node: cst.Call, args) -> bool:
    """``torch.tensor(t)`` with ``t`` a tensor, given first by position: a copy of it (a legacy
    constructor, ``torch.FloatTensor(t)``, makes an alias instead)."""
    return bool(args) and node.args[0].keyword is None and not node.args[0].star and args[0][1].kind == "tensor"


def pair(first: Value, second: Value) -> Value:
    return seq([first, second]).with_(items=(first, second))


def layered(module: Value) -> bool:
    """A model of several layers with parameters: ``nn.Sequential`` of them, a model of this
    project whose fields hold two of them (or a container of them), or a trained model whose
    class the linter cannot see (``netG = ResnetGenerator()`` from a file it is not given):
    a class of its own is written for a model of several layers, not one ``nn.Linear``."""
    if module.layers >= 2:
        return True
    if module.cls is None:
        return module.params is True and not api.is_nn_module_class(module.qual)
    if module.cls.layers >= 2:
        return True  # an nn.Sequential subclass given its layers (``sequential_subclasses``)
    layers = [v for v in module.cls.attrs.values() if v.kind == "module" and v.params is True]
    # a container of layers, unless it is known to hold one layer with parameters alone
    # (`nn.Sequential(nn.Linear(4, 4), nn.Tanh())`: on data, the Linear saves no weight)
    return len(layers) >= 2 or any(
        v.qual.rsplit(".", 1)[-1] in ("Sequential", "ModuleList", "ModuleDict") and v.layers != 1 for v in layers
    )


#: the keywords of ``Tensor.backward`` that keep its graph for another backward; ``retain_variables`` is the
#: name torch 0.x gave ``retain_graph`` (tutorials still pass it; torch 2 rejects it with a TypeError)
GRAPH_KEEPING_KEYWORDS = ("retain_graph", "create_graph", "retain_variables")
_TENSOR_BACKWARD_KEYWORDS = frozenset({"gradient", "inputs", *GRAPH_KEEPING_KEYWORDS})


def tensor_backward_arguments(call: cst.Call) -> bool:
    """No argument, or only ``Tensor.backward``'s keywords: not a hand-written layer's
    ``layer.backward(dout)`` (a NumPy network's backpropagation step)."""
    return all(arg.keyword is not None and arg.keyword.value in _TENSOR_BACKWARD_KEYWORDS for arg in call.args)


#: nn.Module methods that return the module itself
_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "train", "eval", "requires_grad_"})


def module_path(node) -> Optional[str]:
    """The dotted path of a module, also through methods that return it (``model.to(device).train()``)."""
    while (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _RETURNS_SELF
    ):
        node = node.func.value
    return dotted(node)


def container_member(node, value_of) -> Optional[str]:
    """The path of ``model[-1]`` / ``net.layers[2]``, a literal position in an ``nn.Sequential`` or
    ``nn.ModuleList``, as ``syntax.member_path`` writes it (``model.-1``): a part of that container."""
    if type(node) is not cst.Subscript or len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return None
    position, container = literal_int(node.slice[0].slice.value), dotted(node.value)
    if position is None or container is None:
        return None
    base = value_of(node.value)
    if base.kind != "module" or base.qual.rsplit(".", 1)[-1] not in api.MODULE_CONTAINERS:
        return None
    return member_path(container, position)


def keyed_member(node, value_of, member: Value) -> Optional[str]:
    """The path of ``models["encoder"]``, a literal key of a dict of modules (monolayout's trainer
    keeps ``self.models = {"encoder": ..., "static": ...}``) or of an ``nn.ModuleDict``: ``models.encoder``,
    the name an ``nn.ModuleDict`` also answers to. Its calls and its ``parameters()`` then name the
    same module, so an optimizer over it is known to update what its outputs saved. ``member``: the
    value the walk gave the subscript (a module, else no path)."""
    if type(node) is not cst.Subscript or len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return None
    key, container = literal_str(node.slice[0].slice.value), dotted(node.value)
    if key is None or container is None or not key.isidentifier():
        return None
    base = value_of(node.value)
    if member.kind != "module":
        return None
    if base.kind == "dict" and key in base.keys or base.kind == "module" and base.qual.rsplit(".", 1)[-1] == "ModuleDict":
        return f"{container}.{key}"
    return None


def switched_mode(name: str, call: cst.Call) -> Optional[bool]:
    """The mode ``x.eval()``, ``x.train()``, ``x.train(False)`` or ``x.train(mode=True)`` puts ``x``
    in (True: training); None for any other call. Only an nn.Module switches so: other objects'
    ``train(...)`` (a gensim model's, say) take data, not a literal flag."""
    if name == "eval":
        return False if not call.args else None
    if name != "train" or len(call.args) > 1:
        return None
    if not call.args:
        return True
    arg = call.args[0]
    if arg.keyword is not None and arg.keyword.value != "mode" or arg.star:
        return None
    return literal_bool(arg.value)


def _reads_requires_grad(node, name: str) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "requires_grad"
        and isinstance(node.value, cst.Name)
        and node.value.value == name
    )


def keeps_trainable(predicate) -> bool:
    """``lambda p: p.requires_grad``: a ``filter`` that keeps the parameters that train."""
    if not isinstance(predicate, cst.Lambda) or len(predicate.params.params) != 1:
        return False
    return _reads_requires_grad(predicate.body, predicate.params.params[0].name.value)


def trainable_comprehension(node) -> bool:
    """``[p for p in X if p.requires_grad]`` (or with no test): the elements of ``X`` themselves,
    those that train. An optimizer over it trains what an optimizer over ``X`` would."""
    if not isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return False
    comp = node.for_in
    if comp.inner_for_in is not None or not isinstance(comp.target, cst.Name) or not isinstance(node.elt, cst.Name):
        return False
    name = comp.target.value
    return node.elt.value == name and all(_reads_requires_grad(test.test, name) for test in comp.ifs)
