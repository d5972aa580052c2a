"""Which project file an import names: folder look-ups, and the import statements of a text.

Both run for every module a linted file imports, and again for the modules those
import, for every linted file: across a large package, the same folders are looked
in for the same names by the files of every folder. Within a batch run (see
``project.one_snapshot``, which opens and closes the batch) the answers are shared:
each folder is listed once, each name is looked for once per folder, and a file's
relative imports, which do not depend on who asks, are resolved once.
"""

from __future__ import annotations

import os
import re
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from .path_appends import forget_folders
from .scans import scanned_in_order
from .word_starts import found_at_line_starts

#: (module, dots, names imported from it): ``from ..utils import a, b`` -> ("utils", 2, ("a", "b"))
Statement = Tuple[str, int, Tuple[str, ...]]

_BATCH = [False]
#: (name, folder, relative) -> the file, within a batch
_FOUND: Dict[tuple, Optional[str]] = {}
#: folder -> (its files, its folders), within a batch
_FOLDER_ENTRIES: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {}
#: (importer, dots) -> the folder a relative import starts from, within a batch
_BASES: Dict[Tuple[str, int], str] = {}
#: a file's identity -> its relative imports resolved (per statement), within a batch
_RELATIVE: Dict[tuple, list] = {}
#: a file's identity (path, length, hash of its text) -> its import statements
_STATEMENTS: Dict[Tuple[str, int, int], List[Statement]] = {}
_UNSEEN = object()
#: every folder whose entries an answer here depended on (see ``noted_folders``): kept for the
#: life of the process, as the answers built on them may be
_NOTED: set = set()


def note_folder(folder: str) -> None:
    """Mark ``folder`` as one whose entries some answer depended on (the run manifest checks them)."""
    _NOTED.add(folder)


def noted_folders() -> FrozenSet[str]:
    """The folders whose entries (Python files, sub-folders) answers of this process depended on: a
    run's manifest keeps what it found in each, and the keys it remembers stand only while every one
    of them holds the same (see ``manifest``). With them, for a folder above the project where only one
    name was looked for, that name and what was found (see ``name_key``)."""
    return frozenset(_NOTED) | frozenset(_NOTED_NAMES)


#: ``name_key``s of the names looked for in folders above a project (see ``find_in``)
_NOTED_NAMES: set = set()


def name_key(folder: str, name: str, is_folder: bool) -> str:
    """How ``noted_folders`` tells that an answer depended only on whether ``folder`` holds a folder
    ``name``: ``/tmp`` is looked in for ``models`` by a file of ``/tmp/x/y/`` importing ``models.net``
    (a namespace package, see ``project.find_module``), and what else ``/tmp`` holds changes all the
    time, so a run keeping all of its entries would trust no key (nor write a manifest) on the next."""
    return f"{folder}\0{name}\0{'d' if is_folder else '-'}"


def marker_in(folder: str, name: str) -> bool:
    """Whether ``folder/name`` exists (a repository's marker, where the search above a project stops),
    noted as ``name_key`` notes a name, with ``e`` or ``x`` for what was found."""
    exists = os.path.exists(os.path.join(folder, name))
    _NOTED_NAMES.add(f"{folder}\0{name}\0{'e' if exists else 'x'}")
    return exists


def holds_folder(folder: str, name: str) -> bool:
    """Whether ``folder/name`` is a folder now (symbolic links followed, as ``_listed`` does)."""
    return os.path.isdir(os.path.join(folder, name))


def in_batch() -> bool:
    """Whether a batch run is on: the project's files and folders stay as they are until it ends."""
    return _BATCH[0]


def begin_batch() -> None:
    _BATCH[0] = True
    _clear()


def end_batch() -> None:
    _BATCH[0] = False
    _clear()


def _clear() -> None:
    for cache in (_FOUND, _FOLDER_ENTRIES, _BASES, _RELATIVE):
        cache.clear()
    forget_folders()


def find_in(
    name: str, bases: Sequence[str], relative: bool, found: Dict[tuple, Optional[str]], above: bool = False
) -> Optional[str]:
    """The file of module ``name`` in the first of ``bases`` that holds it; ``found`` keeps the
    answers outside a batch (the caller decides for how long). ``above``: the bases are folders above
    the project, and only the name's first part is looked for in each (see ``name_key``)."""
    if _BATCH[0]:
        found = _FOUND
    for base in bases:
        key = (name, base, relative, above)
        answer = found.get(key, _UNSEEN)
        if answer is _UNSEEN:
            answer = found[key] = _find_above(name, base) if above else _find_in(name, base, relative)
        if answer is not None:
            return answer
    return None


def package_base(importer: str, level: int) -> str:
    """The folder a relative import with ``level`` dots starts from."""
    key = (importer, level)
    base = _BASES.get(key) if _BATCH[0] else None
    if base is None:
        base = os.path.dirname(os.path.abspath(importer))
        for _ in range(level - 1):
            base = os.path.dirname(base)
        if _BATCH[0]:
            _BASES[key] = base
    return base


def _find_in(name: str, base: str, relative: bool) -> Optional[str]:
    parts = [part for part in name.split(".") if part] if name else []
    if not parts:
        init = os.path.join(base, "__init__.py")
        return init if relative and _is_file(base, "__init__.py") else None
    folder = base
    for part in parts[:-1]:
        if not _is_folder(folder, part):
            return None
        folder = os.path.join(folder, part)
    last = parts[-1]
    if _is_file(folder, last + ".py"):
        return os.path.join(folder, last + ".py")
    if _is_folder(folder, last) and _is_file(os.path.join(folder, last), "__init__.py"):
        return os.path.join(folder, last, "__init__.py")
    return None


def _find_above(name: str, base: str) -> Optional[str]:
    """``_find_in`` of a dotted absolute name in a folder above the project, noting of ``base`` only
    whether it holds the name's first part (the folder below it, when it does, is noted as usual)."""
    parts = [part for part in name.split(".") if part]
    if len(parts) < 2:
        return _find_in(name, base, False)
    first = parts[0]
    is_folder = first in _entries(base)[1] if _BATCH[0] else holds_folder(base, first)
    _NOTED_NAMES.add(name_key(base, first, is_folder))
    return _find_in(".".join(parts[1:]), os.path.join(base, first), False) if is_folder else None


def _is_file(folder: str, name: str) -> bool:
    if not _BATCH[0]:
        _NOTED.add(folder)
        return os.path.isfile(os.path.join(folder, name))
    return name in _listed(folder)[0]


def _is_folder(folder: str, name: str) -> bool:
    if not _BATCH[0]:
        _NOTED.add(folder)
        return os.path.isdir(os.path.join(folder, name))
    return name in _listed(folder)[1]


def _listed(folder: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(the files, the folders) in ``folder`` (symbolic links followed, as ``isfile`` does)."""
    _NOTED.add(folder)
    return _entries(folder)


def _entries(folder: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """``_listed``'s answer, within a batch, without noting the folder."""
    listed = _FOLDER_ENTRIES.get(folder)
    if listed is None:
        files, folders = set(), set()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_file():
                            files.add(entry.name)
                        elif entry.is_dir():
                            folders.add(entry.name)
                    except OSError:
                        pass
        except OSError:
            pass
        listed = _FOLDER_ENTRIES[folder] = (frozenset(files), frozenset(folders))
    return listed


def import_statements(path: str, text: str) -> List[Statement]:
    """The import statements of ``text`` (from the scan store when it has them)."""
    identity = (path, len(text), hash(text))
    statements = _STATEMENTS.get(identity)
    if statements is None:
        if len(_STATEMENTS) > 20_000:
            _STATEMENTS.clear()
        encoded = scanned_in_order(
            "import_statements",
            text.encode("utf-8", "replace"),
            lambda _: [f"{module}\0{level}\0{','.join(names)}" for module, level, names in _import_statements(text)],
        )
        statements = []
        for line in encoded:
            module, level, names = line.split("\0")
            statements.append((module, int(level), tuple(names.split(",")) if names else ()))
        _STATEMENTS[identity] = statements
    return statements


def _import_statements(text: str) -> List[Statement]:
    found = []
    for module, names in found_at_line_starts(*_IMPORT_FROM_TEXT, text):
        level = len(module) - len(module.lstrip("."))
        imported = tuple(match.group(1) for match in re.finditer(r"(\w+)(?:\s+as\s+\w+)?", names.strip("()")))
        found.append((module[level:], level, imported))
    for names in found_at_line_starts(*_IMPORT_TEXT, text):
        for match in re.finditer(r"([\w.]+)(?:\s+as\s+\w+)?", names):
            found.append((match.group(1), 0, ()))
    return found


#: ``^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)`` and ``^[ \t]*import[ \t]+([^\n#;]*)``
#: (multiline), each at the text's start and after a newline (``found_at_line_starts``)
_IMPORT_FROM_TEXT = (
    re.compile(r"[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)"),
    re.compile(r"\n[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)"),
)
_IMPORT_TEXT = (re.compile(r"[ \t]*import[ \t]+([^\n#;]*)"), re.compile(r"\n[ \t]*import[ \t]+([^\n#;]*)"))


def resolve(project, path: str, text: str) -> List[str]:
    """The files ``project`` finds for the imports of the file at ``path`` (each once, in order).

    A relative import resolves the same for every project asking: within a batch, once.
    """
    statements = import_statements(path, text)
    identity = (path, len(text), hash(text))
    relative = _RELATIVE.get(identity) if _BATCH[0] else None
    if relative is None:
        relative = [_resolve_one(project, path, *statement) if statement[1] else () for statement in statements]
        if _BATCH[0]:
            _RELATIVE[identity] = relative
    found: List[str] = []
    for statement, resolved in zip(statements, relative):
        found.extend(resolved if statement[1] else _resolve_one(project, path, *statement))
    # absolute already: every folder looked in is
    return list(dict.fromkeys(found))


def _resolve_one(project, path: str, base: str, level: int, names: Tuple[str, ...]) -> List[str]:
    found = []
    resolved = project.find_module(base, path, level)
    if resolved is not None:
        found.append(resolved)
    for name in names:
        submodule = project.find_module(f"{base}.{name}".strip("."), path, level)
        if submodule is not None:
            found.append(submodule)
    return found
