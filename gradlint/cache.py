"""A per-file result cache, keyed by file content, gradlint version and the rules run."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import List, Optional, Sequence

from . import __version__
from .rule import Finding

CACHE_DIR = ".gradlint_cache"
_FIELDS = ("line", "column", "code", "message", "end_line", "end_column", "name", "severity", "fix", "cell", "edits")


class Cache:
    def __init__(self, directory: str, rule_codes: Sequence[str]):
        self.directory = os.path.join(directory, "v1")
        self._salt = f"{__version__}\0{_code_fingerprint()}\0{','.join(sorted(rule_codes))}\0".encode()
        self._ready = False

    def key(self, data: bytes, path: str) -> str:
        # the suffix matters: a notebook and a script with the same bytes lint differently
        return hashlib.sha256(self._salt + os.path.splitext(path)[1].encode() + b"\0" + data).hexdigest()

    def get(self, key: str, path: str) -> Optional[List[Finding]]:
        try:
            with open(os.path.join(self.directory, key[:2], key + ".json"), encoding="utf-8") as handle:
                rows = json.load(handle)
            return [_finding(path, row) for row in rows]
        except (OSError, ValueError, TypeError):
            return None

    def put(self, key: str, findings: List[Finding], path: str) -> None:
        rows = [[getattr(f, name) for name in _FIELDS] for f in findings]
        folder = os.path.join(self.directory, key[:2])
        try:
            self._prepare()
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(rows, stream)
            os.replace(temporary, os.path.join(folder, key + ".json"))
        except OSError:
            pass  # a cache that cannot be written is only slower

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


def _finding(path: str, row) -> Finding:
    values = dict(zip(_FIELDS, row))
    values["edits"] = tuple(tuple(edit) for edit in values.get("edits", ()))
    return Finding(path, **values)
