"""What the run manifest keeps of the folders its answers depend on (see ``manifest``): a folder's
entries, or of a name looked for in a folder above the project, whether it is there."""

from __future__ import annotations

import hashlib
import os
from typing import Dict, Iterable, List

from .analysis import module_files


def folder_entries(folder: str) -> str:
    """What the answers looked for in ``folder`` can depend on: its Python files (regular or not)
    and its sub-folders (and which of those are links)."""
    names: List[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        names.append(("l/" if entry.is_symlink() else "d/") + entry.name)
                    elif entry.name.endswith(".py"):
                        names.append(("f/" if entry.is_file() else "o/") + entry.name)
                except OSError:
                    names.append("?/" + entry.name)
    except OSError as exc:
        return f"unlisted: {type(exc).__name__}"
    names.sort()
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def entries_now(key: str, kept: str) -> str:
    """What the manifest compares for a key of its folders: a folder's entries, or for ``folder\0name``
    (a name looked for in a folder above the project: ``module_files.name_key``) whether it is a folder
    (``kept`` is ``d`` or ``-``), or whether it exists (a repository's marker: ``e`` or ``x``)."""
    folder, _, name = key.partition("\0")
    if not name:
        return folder_entries(folder)
    if kept in ("e", "x"):
        return "e" if os.path.exists(os.path.join(folder, name)) else "x"
    return "d" if module_files.holds_folder(folder, name) else "-"


def noted_answers(noted: Iterable[str]) -> Dict[str, set]:
    """The run's noted folders (-> no answers) and names above projects (``folder\0name`` -> what the run
    found: two answers when it changed while the run looked)."""
    found: Dict[str, set] = {}
    for key in noted:
        folder, _, rest = key.partition("\0")
        answers = found.setdefault(f"{folder}\0{rest[:-2]}" if rest else folder, set())
        if rest:
            answers.add(rest[-1])
    return found
