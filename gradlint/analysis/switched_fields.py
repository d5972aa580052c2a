"""Fields a class uses as models: ``self.model.eval()`` in one method, ``self.model(x)`` in another.

A ``Trainer`` built in another file (or nowhere) holds a model the analysis cannot see:
``self.model = model``. Its ``validate()`` calls ``self.model.eval()`` and its ``train_epoch()``
calls ``self.model(x)``: only a module has ``eval()`` and is called so, and each method is walked
alone. So such a field, with no value known at a method's entry, is a module whose parameters
and mode are unknown (``Evidence``-style: what the code's own use shows).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

import libcst as cst

from .syntax import own_nodes

_CACHE: Dict[int, Tuple[object, FrozenSet[str]]] = {}


def _field(node) -> str:
    """``X`` of ``self.X``, else ''."""
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value
    return ""


def switched_and_called_fields(methods: dict, entered: cst.FunctionDef) -> FrozenSet[str]:
    """The ``self`` fields some method switches with ``.eval()`` (no argument) and some method calls,
    taken for modules at the entry of ``entered``. Not at the entry of ``__init__``: before the
    constructor the object has no such field, and one it sets on some path only
    (``if model is not None: self._setup(model)``, whose ``self.model = deepcopy(model).eval()``
    makes a trainable model in eval mode) would join there with a module of unknown parameters
    and mode, losing what the constructor made (torch_uncertainty's MCBatchNorm)."""
    if entered.name.value == "__init__":
        return frozenset()
    cached = _CACHE.get(id(methods))
    if cached is not None and cached[0] is methods:
        return cached[1]
    switched, called = set(), set()
    for method in methods.values():
        if not isinstance(method, cst.FunctionDef):
            continue
        for call in own_nodes(method).of(cst.Call):
            func = call.func
            if type(func) is not cst.Attribute:
                continue
            if func.attr.value == "eval" and not call.args and _field(func.value):
                switched.add(func.value.attr.value)
            elif _field(func):
                called.add(func.attr.value)
    result = frozenset(switched & called)
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[id(methods)] = (methods, result)
    return result
