"""What a file's result-cache key takes from the rest of its project, and what a run manifest checks again.

A file's findings depend on more than its own bytes (see ``project``): on the modules it imports,
directly or through them (:func:`dependencies`), on the files that call its training functions
(``callers``), and on which of its functions other files call under ``torch.no_grad()``.
:func:`dependency_digest` summarises all of it. Each module is read once per process
(:func:`module_digest`, :func:`key_digest`), and every file a key is computed from is noted with
how it was used (``consulting``), so that a later run can tell the key still stands by checking
those uses on the files as they are then, without computing the key again (``manifest``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from stat import S_ISREG
from typing import Dict, FrozenSet, Iterator, List, Tuple

from . import module_files
from .project import (
    _SNAPSHOT,
    MAX_IMPORT_DEPTH,
    _read,
    _stat_key,
    defined_functions,
    defined_methods,
    defines_nothing,
    imported_modules,
    project_for,
)
from .scans import scanned

#: path -> (its stat, its text, ``module_digest``, ``key_digest``): each module is read once per
#: process, however many files import it
_TEXTS: Dict[str, Tuple[Tuple[int, int], str, bytes, bytes]] = {}
#: a file modified this recently may change again within the same stat (mtime resolution)
_RACY_NS = 2_000_000_000


#: how a key used a file it consulted: its whole text (a use that is not ``TEXT`` says what else)
TEXT = ""
#: the use of a module only through :func:`key_digest` (followed by the digest, in hex)
DIGEST = "digest:"
#: after a ``DIGEST`` use: the module's import statements were used too (followed by their digest, in hex)
IMPORTS = " imports:"
#: the use of a linted file by its own key: its bytes (followed by their size and digest, see ``content_use``);
#: the run manifest keeps it for a file it cannot trust the stat of (changed just before the run, ``RACY_NS``)
CONTENT = "content:"


class UseRecorder:
    """Like ``PathRecorder``, with how each path was used (``TEXT``, or a narrower use a run manifest can
    check again on the file as it is now): path -> use. Two different uses of one path make it ``TEXT``."""

    def __init__(self) -> None:
        self._open: List[Dict[str, str]] = []

    @contextlib.contextmanager
    def recording(self) -> Iterator[Dict[str, str]]:
        uses: Dict[str, str] = {}
        self._open.append(uses)
        try:
            yield uses
        finally:
            self._open.remove(uses)

    def note(self, path: str, use: str) -> None:
        for recorded in self._open:
            recorded[path] = _both_uses(recorded.get(path, use), use)


def _both_uses(one: str, other: str) -> str:
    """The use covering two uses of a file: a ``DIGEST`` use with the ``IMPORTS`` of the same digest
    covers the bare one; any other two different uses need the whole text."""
    if one == other:
        return one
    if one.startswith(DIGEST) and other.startswith(DIGEST):
        longer, shorter = (one, other) if len(one) > len(other) else (other, one)
        if longer.startswith(shorter + IMPORTS):
            return longer
    return TEXT


#: while a cache key is computed: the files it was computed from, and how (see ``consulting``)
_CONSULTED = UseRecorder()


def consulting():
    """The files :func:`dependency_digest` reads inside, besides the project-wide facts of every file
    (``callers.file_facts``) and the folders it looks in (``module_files.noted_folders``): with those,
    what a run manifest needs to know that a file's cache key is still the same. Each file comes with
    its use: ``TEXT`` (the key may depend on any of its bytes) or a narrower one (``callers.NO_CALL``)."""
    return _CONSULTED.recording()


def note_consulted(path: str, use: str = TEXT) -> None:
    _CONSULTED.note(path, use)


def _module_text(path: str) -> Tuple[str, bytes]:
    """The module's text and :func:`key_digest` (noted as consulted: the text is where it is used)."""
    text, _, key = _module_entry(path)
    note_consulted(path, DIGEST + key.hex())
    return text, key


def _module_entry(path: str) -> Tuple[str, bytes, bytes]:
    """(the module's text, :func:`module_digest`, :func:`key_digest`)."""
    stat = _stat_key(path)
    cached = _TEXTS.get(path)
    if cached is not None and cached[0] == stat:
        return cached[1], cached[2], cached[3]
    data = _read(path) or b""
    text = data.decode("utf-8", "replace")
    named = path.encode("utf-8", "surrogateescape") + b"\0"
    marks = "\0".join(sorted(scanned("precheck_marks", data, lambda _: _precheck_marks(text)))).encode()
    digest = hashlib.sha256(named)
    if defines_nothing(data):
        # an importer learns only which rules' text it holds (see engine.lint_text) and what it
        # imports in turn (those modules are dependencies of their own): an edit changing
        # neither re-lints none of the files importing it
        digest.update(b"defines nothing\0" + marks)
    else:
        digest.update(text.encode("utf-8", "replace"))
    key = hashlib.sha256(named + b"marks\0" + marks).digest()
    if stat is not None and (time.time_ns() - stat[0] > _RACY_NS or _SNAPSHOT[0]):
        _TEXTS[path] = (stat, text, digest.digest(), key)
    return text, digest.digest(), key


def module_digest(path: str) -> bytes:
    """What an importer's findings depend on in the module at ``path`` when its analysis reads it (its
    text, or less): a result cache entry stands while each module its lint read keeps this digest."""
    return _module_entry(path)[1]


def key_digest(path: str) -> bytes:
    """What an importer's cache key takes from the module at ``path``: which rules' strings it holds.

    The only other way the module bears on an importer's findings is through the analysis of the
    importer reading it (its names bound where they are imported): each module read is recorded
    with its :func:`module_digest` in the cache entry, which stands only while they all keep it
    (``cache.Cache.get``). A module the analysis does not read (none of its names is used, or the
    importer's budget of modules is spent) is thus changed in any way that keeps its strings
    without the importer being linted again (``models/__init__.py`` of transformers imports every
    model's package, and reads six of them).
    """
    return _module_entry(path)[2]


def same_digest(path: str, use: str) -> bool:
    """Whether the module at ``path``, used by a key as ``DIGEST`` (see ``consulting``), still has that
    digest, and the same import statements when the use says ``IMPORTS``."""
    if not use.startswith(DIGEST):
        return False
    digest, imports, statements = use[len(DIGEST) :].partition(IMPORTS)
    text, _, current = _module_entry(path)
    if current.hex() != digest:
        return False
    return not imports or _statements_digest(path, text) == statements


def content_use(data: bytes) -> str:
    """The ``CONTENT`` use of a file holding ``data``."""
    return f"{CONTENT}{len(data)}:{hashlib.sha256(data).hexdigest()}"


def same_content(path: str, use: str) -> bool:
    """Whether the file at ``path`` still holds the bytes a key used as ``CONTENT``: a regular file (a
    FIFO is not opened to wait for a writer) of that size (no more is read) with that digest."""
    size, _, _ = use[len(CONTENT) :].partition(":")
    if not use.startswith(CONTENT) or not size.isdigit():
        return False
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not S_ISREG(info.st_mode) or info.st_size != int(size):
            return False
        data = handle.read(int(size) + 1)
    return content_use(data) == use


def _statements_digest(path: str, text: str) -> str:
    """The import statements of ``text``: with the entries of the folders they are looked for in (the run
    manifest checks those), they tell which files the module imports, whoever asks."""
    statements = module_files.import_statements(path, text)
    return hashlib.sha256(repr(statements).encode("utf-8", "surrogateescape")).hexdigest()


def _precheck_marks(text: str) -> FrozenSet[str]:
    """What the rules' text prechecks find in ``text``: the strings of their ``requires``
    groups it holds, and the codes of the rules with their own precheck that it passes."""
    from ..rule import Rule
    from ..rules import ALL_RULES

    marks = set()
    needed = set()  # each string once: rules share many (a text without it is searched whole)
    for rule in ALL_RULES:
        if getattr(rule.may_fire, "__func__", None) is Rule.may_fire.__func__:
            needed.update(string for group in rule.requires for string in group)
        elif rule.may_fire(text):
            marks.add(rule.code)
    marks.update(string for string in needed if string in text)
    return frozenset(marks)


def dependency_digest(path: str, text: str) -> bytes:
    """What a file's findings depend on besides its own text (see the module doc)."""
    project = project_for(path)
    digest = hashlib.sha256()
    for module, _ in dependencies(path, text):
        digest.update(_module_text(module)[1])
    relevant = sorted(project.no_grad_callees(defined_functions(text)))
    relevant += sorted("." + name for name in project.no_grad_methods(path, defined_methods(text)))
    digest.update(("\0".join(relevant)).encode())
    from .callers import callers_digest  # callers' contexts (that module builds on this one)

    digest.update(callers_digest(path, text))
    return digest.digest()


def dependencies(path: str, text: str) -> List[Tuple[str, str]]:
    """The project modules a file imports, directly or through them (bounded depth): (path, text)."""
    project = project_for(path)
    seen = {os.path.abspath(path)}
    found: List[Tuple[str, str]] = []
    frontier = [(path, text, b"")]
    for depth in range(MAX_IMPORT_DEPTH):
        following = []
        for importer, source, digest in frontier:
            if depth:
                # what an imported module imports in turn is told by its import statements (the folders
                # they are looked for in are the manifest's to check): not by the rest of its text
                note_consulted(importer, DIGEST + digest.hex() + IMPORTS + _statements_digest(importer, source))
            for module in imported_modules(project, importer, source):
                if module in seen:
                    continue
                seen.add(module)
                following.append((module, *_module_text(module)))
        found.extend((module, source) for module, source, _ in following)
        frontier = following
    return found


def forget_recent_texts() -> None:
    """At the end of a batch run: the modules read that were modified too recently to trust their stat
    outside it (see ``project.one_snapshot``) are read again next time."""
    now = time.time_ns()
    for path, (stat, *_) in list(_TEXTS.items()):
        if now - stat[0] <= _RACY_NS:
            del _TEXTS[path]
