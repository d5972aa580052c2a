"""Fields that are other names of another field: ``self._network_module_ptr = self._network`` in
``__init__``, rebound to ``self._network.module`` when the network is wrapped in ``DataParallel``.

A class-incremental learner's ``train()`` method calls ``self._network_module_ptr.train()`` and its
validation helper calls ``self._network.eval()``: the two paths name one module (or the module a
wrapper runs, whose mode is the one every forward through the wrapper uses), so the switch to
training mode at the top of each epoch restores what the validation switched off. A field is such
an alias only when every binding of it in the class's methods names the same other field (itself
or its ``.module``); a field also bound in any other way is not known to be that object.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from .syntax import _self_field, own_nodes

_CACHE: Dict[int, Tuple[object, Dict[str, str]]] = {}


def _aliased(value) -> str:
    """The field ``value`` names: ``self.G`` or the module it wraps, ``self.G.module``; else ''."""
    if type(value) is cst.Attribute and value.attr.value == "module" and _self_field(value.value):
        value = value.value
    return _self_field(value)


def field_aliases(cls) -> Dict[str, str]:
    """``{"F": "G"}`` for the fields of ``cls`` (a ``ClassInfo``) whose every binding in its methods
    is ``self.F = self.G`` or ``self.F = self.G.module``, for one field ``G``."""
    methods = getattr(cls, "methods", None) or {}
    cached = _CACHE.get(id(cls))
    if cached is not None and cached[0] is cls:
        return cached[1]
    targets: Dict[str, Optional[str]] = {}
    for method in methods.values():
        if type(method) is not cst.FunctionDef:
            continue
        own = own_nodes(method)
        for assign in own.of(cst.Assign):
            for target in assign.targets:
                field = _self_field(target.target)
                if field:
                    other = _aliased(assign.value) if len(assign.targets) == 1 else ""
                    known = targets.get(field, other)
                    targets[field] = other if other and known == other and other != field else None
        for node in own.of(cst.AugAssign) + own.of(cst.AnnAssign):
            field = _self_field(node.target)
            if field:
                targets[field] = None
    aliases = {field: other for field, other in targets.items() if other}
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[id(cls)] = (cls, aliases)
    return aliases


def aliased_path(path: Optional[str], cls) -> Optional[str]:
    """``self.G.rest`` for ``self.F.rest`` when ``F`` is an alias of ``G`` in ``cls``, else None."""
    if cls is None or path is None or not path.startswith("self."):
        return None
    head, dot, rest = path[5:].partition(".")
    other = field_aliases(cls).get(head)
    return f"self.{other}{dot}{rest}" if other else None
