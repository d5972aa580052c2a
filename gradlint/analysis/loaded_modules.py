"""Models read whole from a file (``torch.jit.load(f)``, ``torch.load(path)`` of a pickled module).

A module built in code has parameters that require grad; one deserialized keeps whatever its file
saved: a TorchScript feature extractor exported frozen (stylegan2-ada's ``vgg16.pt``, loaded with
``torch.jit.load(f).eval().to(device)`` for the projector's LPIPS distance) has none, one saved
from a training run has all (checked, torch 2.13: ``requires_grad_(False)`` before
``torch.jit.save`` survives ``torch.jit.load``). Whether its output carries a graph is not known.
"""

from typing import Optional

import libcst as cst

from .syntax import dotted, walk

_LOADERS = frozenset({"torch.jit.load", "jit.load", "torch.load"})

#: methods that return the module they are called on (``torch.jit.load(f).eval().to(device)``)
_SAME_MODULE = frozenset({"eval", "train", "to", "cuda", "cpu", "float", "half", "double", "requires_grad_"})


def loaded_from_file(name: str, scope: Optional[cst.CSTNode]) -> bool:
    """Whether every binding of ``name`` in ``scope`` (a function, or the module) is a module
    loaded whole from a file (and there is at least one)."""
    if scope is None or not name.isidentifier():
        return False
    found = False
    for node in walk(scope):
        if type(node) is not cst.Assign:
            continue
        if not any(type(t.target) is cst.Name and t.target.value == name for t in node.targets):
            continue
        if not _loads(node.value):
            return False
        found = True
    return found


def _loads(value: cst.BaseExpression) -> bool:
    while type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in _SAME_MODULE:
        if value.func.attr.value == "requires_grad_":
            return False  # the code decides: not what the file saved
        value = value.func.value
    return type(value) is cst.Call and dotted(value.func) in _LOADERS
