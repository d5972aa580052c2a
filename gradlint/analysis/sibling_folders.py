"""The scripts in the folders beside a package: the callers a project keeps out of the package.

A repository often keeps its package (``src/``, with ``__init__.py``) apart from the scripts that
run it: ``bin/test_asr.py`` runs ``from src.ctc import CTCBeamDecoder`` and calls the decoder under
``torch.no_grad()``. Those scripts are the package's callers as much as ``main.py`` beside it is,
so the project's listing holds the Python files directly in each folder beside the package (not
in their sub-folders), at most ``MAX_SIBLING_FILES`` of them. All of them are listed, whatever
they import, so that the run manifest keeps their facts (an edit that makes one import the package
is seen); the scans then take from them only what concerns the package: the no-grad scan counts
only names imported from the package, and ``importing_package`` keeps, of the files importing a
module's name, those beside the package only when they import the package by its name
(``from src.ctc import ...``, ``import src.ctc``): a ``ctc`` module of their own is another one.
"""

from __future__ import annotations

import os
from typing import AbstractSet, Callable, FrozenSet, List

from . import module_files

#: the files directly in folders beside a package that its listing takes (as many as the scripts
#: beside it: ``project.MAX_SCRIPTS``)
MAX_SIBLING_FILES = 50


def sibling_files(scan_root: str, skipped: AbstractSet[str]) -> List[str]:
    """The Python files directly in the folders beside ``scan_root`` (its parent's other folders, in
    name order, hidden ones and ``skipped`` left out), at most ``MAX_SIBLING_FILES``."""
    parent = os.path.dirname(scan_root)
    own = os.path.basename(scan_root)
    found: List[str] = []
    for folder in _entries(parent, lambda entry: entry.is_dir()):
        if folder == own or folder.startswith(".") or folder in skipped:
            continue
        path = os.path.join(parent, folder)
        module_files.note_folder(path)
        for name in _entries(path, lambda entry: entry.name.endswith(".py") and entry.is_file()):
            found.append(os.path.join(path, name))
            if len(found) >= MAX_SIBLING_FILES:
                return found
    return found


def _entries(folder: str, keep: Callable[[os.DirEntry], bool]) -> List[str]:
    try:
        return sorted(entry.name for entry in os.scandir(folder) if keep(entry))
    except OSError:
        return []


def importing_package(
    files: List[str], siblings: FrozenSet[str], package: str, words_of: Callable[[str], FrozenSet[str]]
) -> List[str]:
    """``files`` (importers of some module's name) without those beside the package (``siblings``)
    whose import statements do not name the package."""
    if not siblings:
        return files
    return [path for path in files if path not in siblings or package in words_of(path)]
