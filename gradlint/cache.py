"""A per-file result cache, keyed by file content, gradlint version and the rules run."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from . import __version__
from .rule import Finding

CACHE_DIR = ".gradlint_cache"
_FIELDS = ("line", "column", "code", "message", "end_line", "end_column", "name", "severity", "fix", "cell", "edits")


class Cache:
    """Findings by key; each entry also names the other files the lint read, with their digests,
    and stands only while every one of them still has that digest (see ``get``)."""

    def __init__(self, directory: str, rule_codes: Sequence[str]):
        self.directory = os.path.join(directory, "v1")
        # libcst's version too: its trees (and so the findings) may change with it
        salt = f"{code_salt()}\0{libcst_version()}\0{','.join(sorted(rule_codes))}\0"
        self._salt = salt.encode()
        self._ready = False

    @property
    def salt(self) -> bytes:
        """What the keys are salted with: the code, libcst's version and the rules."""
        return self._salt

    def key(self, data: bytes, path: str) -> str:
        # the suffix matters: a notebook and a script with the same bytes lint differently
        return hashlib.sha256(self._salt + os.path.splitext(path)[1].encode() + b"\0" + data).hexdigest()

    def get(self, key: str, path: str, digest: Callable[[str], str] = lambda path: "") -> Optional[List[Finding]]:
        """The findings stored under ``key``, if each file the lint read still has the digest it had."""
        try:
            # bytes decoded here: a text stream's decoder and buffers cost a warm run more than the
            # parse (thousands of entries); the same UTF-8, the same errors
            with open(os.path.join(self.directory, key[:2], key + ".json"), "rb", buffering=0) as handle:
                entry = json.loads(handle.read().decode("utf-8"))
            reads, rows = entry["reads"], entry["findings"]
            if not isinstance(rows, list) or not all(_well_formed(row) for row in rows):
                return None  # damaged or written by something else: lint again
            if not isinstance(reads, dict) or any(digest(read) != value for read, value in reads.items()):
                return None  # a file its findings depend on changed
            return [_finding(path, row) for row in rows]
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            return None

    def put(self, key: str, findings: List[Finding], path: str, reads: Optional[Dict[str, str]] = None) -> None:
        """Store the findings, with the digest of each other file the lint read (``reads``)."""
        entry = {"reads": reads or {}, "findings": [[getattr(f, name) for name in _FIELDS] for f in findings]}
        folder = os.path.join(self.directory, key[:2])
        try:
            self._prepare()
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, os.path.join(folder, key + ".json"))
        except OSError:
            pass  # a cache that cannot be written is only slower

    def prepare(self) -> None:
        """Create the cache's folder (with a ``.gitignore`` that ignores it) if it is not there."""
        self._prepare()

    def _prepare(self) -> None:
        if self._ready:
            return
        root = os.path.dirname(self.directory)
        os.makedirs(root, exist_ok=True)
        ignore = os.path.join(root, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as handle:
                handle.write("# created by gradlint\n*\n")
        self._ready = True


_FINGERPRINT: Optional[str] = None


def code_salt() -> str:
    """gradlint's version and a fingerprint of its code: what any stored result was computed by."""
    return f"{__version__}\0{_code_fingerprint()}"


def _code_fingerprint() -> str:
    """Changes whenever gradlint's own code does, so a development checkout never reads stale results."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        package = os.path.dirname(os.path.abspath(__file__))
        digest = hashlib.sha256()
        for folder, _, names in sorted(os.walk(package)):
            for name in sorted(names):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
        _FINGERPRINT = digest.hexdigest()[:16]
    return _FINGERPRINT


#: what each of _FIELDS must hold in a row; a field not listed here may hold anything JSON
_TYPES = {"line": int, "column": int, "end_line": int, "end_column": int, "cell": int, "edits": list}


def _well_formed(row) -> bool:
    if not isinstance(row, list) or len(row) != len(_FIELDS):
        return False
    for name, value in zip(_FIELDS, row):
        kind = _TYPES.get(name, str)
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    edits = row[_FIELDS.index("edits")] if "edits" in _FIELDS else []
    return all(isinstance(edit, list) for edit in edits)


def libcst_version() -> str:
    """The installed libcst's version, from the module it ships it in (importing ``importlib.metadata``
    and reading the distribution's files cost a run more than the rest of its start-up but libcst)."""
    try:
        from libcst._version import __version__

        return str(__version__)
    except Exception:  # a libcst without that module: its metadata
        try:
            from importlib.metadata import version

            return version("libcst")
        except Exception:
            return "?"


def cache_root(config_path: Optional[Path], paths: Sequence[str]) -> str:
    """Where the cache lives: beside the configuration, else at the project root, else beside the linted
    paths, and in the user's cache only for ``/`` itself.

    Never in the working directory by accident, and never in ``/``.
    """
    if config_path is not None and config_path.resolve().parent != Path("/"):
        return str(config_path.resolve().parent / CACHE_DIR)
    absolute = [os.path.abspath(p) for p in paths if p != "-"] or [os.getcwd()]
    try:
        start = Path(os.path.commonpath(absolute))
    except ValueError:  # paths on different drives
        start = Path(os.getcwd())
    if not os.path.isdir(start):
        start = start.parent
    for directory in (start, *start.parents):
        if directory == Path(directory.anchor):
            break
        if any(os.path.exists(directory / marker) for marker in _PROJECT_MARKERS):
            return str(directory / CACHE_DIR)
    if start != Path(start.anchor):
        return str(start / CACHE_DIR)  # no project around: beside what is linted
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gradlint", hashlib.sha256(str(start).encode()).hexdigest()[:16])


_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", ".hg")


def _finding(path: str, row) -> Finding:
    values = dict(zip(_FIELDS, row))
    values["edits"] = tuple(tuple(edit) for edit in values.get("edits", ()))
    return Finding(path, **values)
