"""The one git setting the ignore matcher needs, ``core.excludesFile``, read from git's
configuration files without running git.

Files are read in git's order, a later one overriding an earlier one: the system file,
the user's (``$XDG_CONFIG_HOME/git/config``, then ``~/.gitconfig``; or
``$GIT_CONFIG_GLOBAL``), then the repository's own ``config``. Unconditional
``[include] path = ...`` is followed; ``[includeIf ...]`` is not (its conditions need
git's view of the repository). Nothing named in any of these files is ever run: a value
is only a path to read.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Iterator, List, Optional, Tuple

#: Bytes read from one configuration file, and include levels followed (git allows 10).
_MAX_BYTES = 1 << 20
_MAX_INCLUDE_DEPTH = 10

_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')
_KEY = re.compile(r"\s*([A-Za-z][A-Za-z0-9-]*)\s*(=)?")
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "\\": "\\", '"': '"'}


def user_config_files() -> List[str]:
    """The system and user configuration files git reads, in its order."""
    files = []
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        files.append(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")
    if os.environ.get("GIT_CONFIG_GLOBAL") is not None:
        files.append(os.environ["GIT_CONFIG_GLOBAL"])
    else:
        files += [os.path.join(_xdg_config_home(), "git", "config"), os.path.join(_home(), ".gitconfig")]
    return [f for f in files if f]


def default_excludes_file() -> str:
    """Where git looks for the user's ignore file when ``core.excludesFile`` is not set."""
    return os.path.join(_xdg_config_home(), "git", "ignore")


def excludes_file(config_files: List[str]) -> Optional[str]:
    """The last ``core.excludesFile`` these files set (``~/`` expanded; a relative path is
    relative to the repository, as git reads it from there), or None."""
    found = None
    for config in config_files:
        for section, key, value in _entries(config, 0):
            if section == "core" and key == "excludesfile" and value is not None:
                found = _expand_home(value) if value else None
    return found


def _entries(path: str, depth: int) -> Iterator[Tuple[str, str, Optional[str]]]:
    """(section, lower-case key, value) of every setting in the file and the files it includes."""
    text = _read(path)
    section = ""
    for line in _logical_lines(text):
        header = _SECTION.match(line)
        if header:
            name, subsection = header.group(1).lower(), header.group(2)
            section = name if subsection is None else f"{name}.{subsection}"
            line = line[header.end():]
            if not line.strip() or line.lstrip()[0] in "#;":
                continue
        match = _KEY.match(line)
        if not match or not section:
            continue
        key = match.group(1).lower()
        value = _value(line[match.end():]) if match.group(2) else None
        if section == "include" and key == "path" and value and depth < _MAX_INCLUDE_DEPTH:
            yield from _entries(os.path.join(os.path.dirname(path), _expand_home(value)), depth + 1)
        else:
            yield section, key, value


def _logical_lines(text: str) -> Iterator[str]:
    """Lines, with a line ending in a backslash outside quotes joined to the next."""
    pending = ""
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("\\") and not stripped.endswith("\\\\"):
            pending += stripped[:-1]
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _value(raw: str) -> str:
    """A value as git reads it: quotes removed, escapes applied, a comment outside quotes dropped."""
    out, quoted, index = [], False, 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            out.append(_ESCAPES.get(raw[index + 1], raw[index + 1]))
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
        index += 1
    return "".join(out).strip()


def _expand_home(value: str) -> str:
    return _home() + value[1:] if value == "~" or value.startswith("~/") else value


def _read(path: str) -> str:
    """The file's text, or "" when it is not a regular file that can be read (a FIFO would block)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return ""
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not _is_regular(descriptor):
                return ""
            return handle.read(_MAX_BYTES).decode("utf-8", "surrogateescape")
        except OSError:
            return ""


def _is_regular(descriptor: int) -> bool:
    return stat.S_ISREG(os.fstat(descriptor).st_mode)


def _home() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


def _xdg_config_home() -> str:
    return os.environ.get("XDG_CONFIG_HOME") or os.path.join(_home(), ".config")
