"""Writing fixed sources back: all contents are computed first, then each file is
replaced in place of itself, never by a different file.

A symlink is written through (the link stays a link), a file with several hard
links is rewritten in place (the links stay one file), the owner and mode are
kept, and a file that is read-only, or cannot be written, is skipped and
reported rather than stopping the run.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Change:
    path: str
    old: bytes
    new: bytes
    #: fixes applied, or lines given a noqa comment
    count: int


def write_changes(changes: Sequence[Change]) -> List[Tuple[str, str]]:
    """Write every change; returns (path, reason) for those left as they were."""
    skipped = []
    for change in changes:
        problem = write_back(change.path, change.new, change.old)
        if problem is not None:
            skipped.append((change.path, problem))
    return skipped


def write_back(path: str, data: bytes, expected: Optional[bytes] = None) -> Optional[str]:
    """Replace the content of ``path`` (through a symlink); None, or why it was not written."""
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
            return "read-only, left as it was"
        if expected is not None:
            with open(real, "rb") as handle:
                if handle.read() != expected:
                    return "changed while gradlint ran, left as it was"
        if info.st_nlink > 1 or not _replace(real, data, info):
            _overwrite(real, data)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def _replace(real: str, data: bytes, info: os.stat_result) -> bool:
    """Write a new file beside it and rename it over: never half written. False when that is not possible."""
    try:
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".gradlint-", suffix=".tmp")
    except OSError:
        return False  # a read-only directory: the file itself may still be writable
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if (info.st_uid, info.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                os.unlink(temporary)
                return False  # only an in-place write keeps another user's file theirs
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True


def _owner(path: str) -> Tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _overwrite(real: str, data: bytes) -> None:
    with open(real, "r+b") as stream:
        stream.write(data)
        stream.truncate()
