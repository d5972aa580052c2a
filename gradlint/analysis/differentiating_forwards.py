"""Whether a module the file imports defines a ``forward`` that differentiates (``torch.autograd.grad``).

An interatomic potential's forward takes the forces as the gradient of the energy with respect to
the positions (torchmd-net's ``TorchMD_Net.forward`` with ``derivative=True``, ``from torch.autograd
import grad`` then ``grad(...)``): it needs grad mode to run at all, in eval mode too. A script that
loads such a model from a checkpoint (``self.model = load_model(path, derivative=True)``) gives it
no class the analysis can see, so an evaluation with gradients enabled is its normal use, not a
pitfall, when a project module the file imports directly (its text is part of the file's result-cache
key: ``module_digests.dependencies``) defines such a forward. Only direct imports: a package's
``__init__`` importing all its models (deepchem's ``torch_models``) says nothing about the model a file
evaluates. Asked by GRD505 about models of unknown class.
"""

from __future__ import annotations

import os
import re
from typing import Dict, Tuple

_FORWARD = re.compile(r"^([ \t]*)def forward\(", re.M)
_GRAD_IMPORTED = re.compile(r"^[ \t]*from[ \t]+torch\.autograd[ \t]+import[ \t]+[^\n]*\bgrad\b", re.M)
_AUTOGRAD_GRAD = re.compile(r"autograd\.grad\(")
_BARE_GRAD = re.compile(r"(?<![\w.])grad\(")

#: (path, length, hash of the text) -> the answer
_KNOWN: Dict[Tuple[str, int, int], bool] = {}


def imports_differentiating_forward(path: str, text: str) -> bool:
    if not path or not text or not os.path.isfile(path):
        return False
    key = (os.path.abspath(path), len(text), hash(text))
    known = _KNOWN.get(key)
    if known is None:
        from .project import _read, imported_modules, project_for

        known = any(
            forward_differentiates((_read(module) or b"").decode("utf-8", "replace"))
            for module in imported_modules(project_for(path), path, text)
        )
        if len(_KNOWN) > 4096:
            _KNOWN.clear()
        _KNOWN[key] = known
    return known


def forward_differentiates(source: str) -> bool:
    """Some ``def forward`` of the text calls ``autograd.grad(`` (or ``grad(`` imported from torch.autograd)."""
    if "grad(" not in source or "def forward" not in source:
        return False
    bare = _GRAD_IMPORTED.search(source) is not None
    lines = source.splitlines()
    starts = {source.count("\n", 0, match.start()): len(match.group(1)) for match in _FORWARD.finditer(source)}
    for number, indent in starts.items():
        for line in lines[number + 1 :]:
            stripped = line.lstrip()
            if stripped and len(line) - len(stripped) <= indent and not stripped.startswith((")", "#")):
                break
            if _AUTOGRAD_GRAD.search(line) or bare and _BARE_GRAD.search(line):
                return True
    return False
