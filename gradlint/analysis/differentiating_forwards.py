"""Whether a module the file imports defines a ``forward`` that differentiates (``torch.autograd.grad``).

An interatomic potential's forward takes the forces as the gradient of the energy with respect to
the positions (torchmd-net's ``TorchMD_Net.forward`` with ``derivative=True``, ``from torch.autograd
import grad`` then ``grad(...)``): it needs grad mode to run at all, in eval mode too. A script that
loads such a model from a checkpoint (``self.model = load_model(path, derivative=True)``) gives it
no class the analysis can see, so an evaluation with gradients enabled is its normal use, not a
pitfall, when a project module the file imports directly (its text is part of the file's result-cache
key: ``module_digests.dependencies``) defines such a forward. Only direct imports: a package's
``__init__`` importing all its models (deepchem's ``torch_models``) says nothing about the model a file
evaluates. Nor does a forward that differentiates through a function of its module it calls (an
implicit surface's renderer taking normals with ``self.sdf.gradient(x)``). A class named by a string
and imported with ``__import__`` (by the file or a module it imports: ``utils.get_class(conf.model_class)``)
may be any class of the folders its imports resolve from: their modules count too. Asked by GRD505
about models of unknown class.
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Tuple

_DEF = re.compile(r"^([ \t]*)def (\w+)\(", re.M)
_GRAD_IMPORTED = re.compile(r"^[ \t]*from[ \t]+torch\.autograd[ \t]+import[ \t]+[^\n]*\bgrad\b", re.M)
_AUTOGRAD_GRAD = re.compile(r"autograd\.grad\(")
_BARE_GRAD = re.compile(r"(?<![\w.])grad\(")

#: ``__import__(name)``, ``importlib.import_module(name)``: a class named by a string (a config's
#: ``model_class = "model.renderer.Network"``) may be any class of the folders the file imports from
_DYNAMIC_IMPORT = re.compile(r"(?<![\w.])__import__\(|(?<![\w])import_module\(")
#: the files a dynamic import may reach that are read at most, per folder
MAX_DYNAMIC_FILES = 400

#: (path, length, hash of the text) -> (the answer, the files it was read from besides the imports)
_KNOWN: Dict[Tuple[str, int, int], Tuple[bool, Tuple[str, ...]]] = {}


def imports_differentiating_forward(path: str, text: str) -> bool:
    if not path or not text or not os.path.isfile(path):
        return False
    from .imports import note_reads

    key = (os.path.abspath(path), len(text), hash(text))
    known = _KNOWN.get(key)
    if known is None:
        from .project import _read, imported_modules, project_for

        project = project_for(path)
        modules = imported_modules(project, path, text)
        texts = [(_read(module) or b"").decode("utf-8", "replace") for module in modules]
        found, reached = any(forward_differentiates(source) for source in texts), ()
        if not found and any(_DYNAMIC_IMPORT.search(source) for source in [text] + texts):
            reached = _dynamically_reached(project, path, text)
            found = any(forward_differentiates((_read(module) or b"").decode("utf-8", "replace")) for module in reached)
        if len(_KNOWN) > 4096:
            _KNOWN.clear()
        known = _KNOWN[key] = (found, reached)
    # the files a dynamic import reaches are no imports: the result cache learns of them here
    note_reads(known[1])
    return known[0]


def _dynamically_reached(project, path: str, text: str) -> Tuple[str, ...]:
    """The Python files under the folders the file's absolute imports resolve from (its ``sys.path``
    entries: ``import utils.general`` found at ``code/utils/general.py`` is imported from ``code``), which a
    class name given to ``__import__`` is looked for in as well."""
    from .module_files import import_statements
    from .project import _python_files

    roots = []
    for base, level, _ in import_statements(path, text):
        found = project.find_module(base, path, 0) if not level and base else None
        if found is None or not found.endswith(".py"):
            continue
        root = found
        for _ in range(base.count(".") + 1 + (os.path.basename(found) == "__init__.py")):
            root = os.path.dirname(root)
        if root not in roots:
            roots.append(root)
    from .project import _EPOCH, in_snapshot

    reached: List[str] = []
    for root in roots:
        # the files of a folder listed once per batch run (a long-lived process lists them again)
        listed = _LISTED.get(root) if in_snapshot() else None
        if listed is None or listed[0] != _EPOCH[0]:
            if len(_LISTED) > 256:
                _LISTED.clear()
            listed = _LISTED[root] = (_EPOCH[0], tuple(_python_files(root)[:MAX_DYNAMIC_FILES]))
        reached.extend(listed[1])
    return tuple(dict.fromkeys(reached))


#: folder -> (the batch run it was listed in, its first Python files)
_LISTED: Dict[str, Tuple[int, Tuple[str, ...]]] = {}


def forward_differentiates(source: str) -> bool:
    """Some ``def forward`` of the text calls ``autograd.grad(`` (or ``grad(`` imported from torch.autograd),
    itself or through functions of the text it calls (an implicit surface's renderer: ``forward`` calls
    ``self.get_rgb(points)``, which takes the normals as ``self.sdf_net.gradient(points)``, a method
    calling ``torch.autograd.grad``)."""
    if "grad(" not in source or "def forward" not in source:
        return False
    bare = _GRAD_IMPORTED.search(source) is not None
    lines = source.splitlines()
    bodies: Dict[str, List[str]] = {}
    for match in _DEF.finditer(source):
        number, indent = source.count("\n", 0, match.start()), len(match.group(1))
        body = bodies.setdefault(match.group(2), [])
        for line in lines[number + 1 :]:
            stripped = line.lstrip()
            if stripped and len(line) - len(stripped) <= indent and not stripped.startswith((")", "#")):
                break
            body.append(line)
    if "forward" not in bodies:
        return False
    differentiating = {
        name for name, body in bodies.items()
        if any(_AUTOGRAD_GRAD.search(line) or bare and _BARE_GRAD.search(line) for line in body)
    }
    # the callers of those, until no more join (a name defined twice joins when either body calls)
    while "forward" not in differentiating:
        called = re.compile(r"(?<!\w)(?:%s)\(" % "|".join(map(re.escape, differentiating))) if differentiating else None
        joined = {
            name for name, body in bodies.items()
            if name not in differentiating and called is not None and any(called.search(line) for line in body)
        }
        if not joined:
            return False
        differentiating |= joined
    return True
