"""Project modules the analysis did not read: their names are unknown (``Value.unread``), not a library's.

An import of the project binds the names of the module it names (``imports``). A module may stay
unread: past the file's import budget or depth, too large, not parsed, or in a cycle. A library's
name keeps the defaults (``torchvision.models.resnet18()`` is a plain model); a name of the
project's own that was not read may be anything: a solver whose forward runs under ``no_grad``
(deepinv's ``ADMM``), a potential that differentiates in its forward. Rules must not fire on the
default there. A torch-free module is the exception: it defines nothing the analysis knows
(``project.defines_nothing``), unless it re-exports its package's classes.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

from .project import MAX_LOADED_BYTES, _read, _stat_key, defines_nothing


def tells_nothing(project, path: str) -> bool:
    """Whether a project module left unloaded was read and found to define nothing (``defines_nothing``
    for a torch-free module that imports nothing from its project); not for a module too large or
    unread, nor for a torch-free module that imports the project's code (an ``__init__`` re-exporting
    its package's classes, ``from .optimizers import ADMM``; a helper that builds a model of another
    module): what those names are is unknown, not known to be nothing."""
    key = (getattr(project, "roots", None), path, _stat_key(path))
    known = _TOLD.get(key)
    if known is None:
        known = _tells_nothing(project, path)
        if len(_TOLD) > 4096:
            _TOLD.clear()
        _TOLD[key] = known
    return known


#: (the asking project's roots, path, the file's size and time) -> the answer
_TOLD: Dict[Tuple[object, str, object], bool] = {}


def _tells_nothing(project, path: str) -> bool:
    data = _read(path)
    if data is None or len(data) > MAX_LOADED_BYTES or b"\x00" in data or not defines_nothing(data):
        return False
    for match in _IMPORT.finditer(data):
        name = (match.group(1) or match.group(2)).decode("ascii", "replace")
        level = len(name) - len(name.lstrip("."))
        if project is None or project.find_module(name[level:], path, level) is not None:
            return False
    return True


_IMPORT = re.compile(rb"(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b|import[ \t]+([\w.]+))")
