"""Which paths git ignores, decided in-process from the ignore files.

gradlint never runs git: git obeys the linted repository's own configuration
(``core.fsmonitor`` is a command), so running it would execute whatever a
downloaded repository asks for. Reading ``.gitignore`` files executes nothing.

Semantics follow git's: ``core.excludesFile`` (read from git's configuration files,
see :mod:`gradlint.gitconfig`), ``.git/info/exclude``, then each ``.gitignore`` from the
repository root down, a deeper file and a later line taking precedence; a path
inside an ignored directory stays ignored whatever a negation says; a nested
repository (a submodule) has its own ignore files, and is itself skipped when
the enclosing repository ignores its directory.
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

import pathspec

from .gitconfig import default_excludes_file, excludes_file, user_config_files

#: One directory's matchers, most important last: (directory they are relative to, spec).
_Stack = Tuple[Tuple[str, "pathspec.GitIgnoreSpec"], ...]


class GitIgnore:
    def __init__(self) -> None:
        self._stacks: Dict[str, Optional[_Stack]] = {}
        self._ignored_dirs: Dict[str, bool] = {}
        self._user_excludes = excludes_file(user_config_files())

    def is_ignored(self, path: str, is_dir: Optional[bool] = None) -> bool:
        path = os.path.abspath(path)
        if is_dir is None:
            is_dir = os.path.isdir(path)
        parent = os.path.dirname(path)
        if parent == path:
            return False
        if self._dir_ignored(parent):
            return True
        return _matches(self._stack(parent), path, is_dir)

    def _dir_ignored(self, directory: str) -> bool:
        known = self._ignored_dirs.get(directory)
        if known is None:
            known = self._ignored_dirs[directory] = self.is_ignored(directory, True)
        return known

    def _stack(self, directory: str) -> Optional[_Stack]:
        """The matchers that apply to entries of ``directory``; None outside any repository."""
        if directory in self._stacks:
            return self._stacks[directory]
        git = os.path.join(directory, ".git")
        stack: Optional[_Stack]
        if os.path.lexists(git):  # a repository root: nothing from above applies inside
            common = _common_dir(git)
            stack = _spec_at(directory, self._excludes_file(directory, common))
            stack += _spec_at(directory, os.path.join(common, "info", "exclude") if common else "")
        else:
            parent = os.path.dirname(directory)
            stack = None if parent == directory else self._stack(parent)
        if stack is not None:
            stack = stack + _spec_at(directory, os.path.join(directory, ".gitignore"))
        self._stacks[directory] = stack
        return stack

    def _excludes_file(self, root: str, common: str) -> str:
        """``core.excludesFile`` of the repository at ``root``: its own config's, else the user's,
        else git's default (lowest precedence of all ignore files)."""
        own = excludes_file([os.path.join(common, "config")]) if common else None
        chosen = own or self._user_excludes or default_excludes_file()
        return os.path.join(root, chosen)


def _matches(stack: Optional[_Stack], path: str, is_dir: bool) -> bool:
    for base, spec in reversed(stack or ()):
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        result = spec.check_file(relative + "/" if is_dir else relative)
        if result.include is not None:
            return result.include
    return False


def _common_dir(git: str) -> str:
    """The directory holding the configuration and ``info/exclude`` of the repository whose
    ``.git`` is ``git`` (a directory, or a file naming one: submodules and worktrees), or ""."""
    if os.path.isfile(git):  # "gitdir: <path>"
        first = _first_line(git)
        if not first.startswith("gitdir:"):
            return ""
        git = os.path.join(os.path.dirname(git), first[len("gitdir:"):].strip())
    common = os.path.join(git, "commondir")  # a worktree shares its main repository's
    if os.path.isfile(common):
        named = _first_line(common)
        if named:
            return os.path.join(git, named)
    return git


def _first_line(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.readline(4096).decode("utf-8", "surrogateescape").strip()
    except OSError:
        return ""


def _spec_at(directory: str, ignore_file: str) -> _Stack:
    if not ignore_file or not os.path.isfile(ignore_file):
        return ()
    try:
        with open(ignore_file, "rb") as handle:
            text = handle.read(1 << 20).decode("utf-8", "surrogateescape")
    except OSError:
        return ()
    lines = text.splitlines()
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a malformed line: git skips it, so keep the others
        spec = pathspec.GitIgnoreSpec.from_lines([line for line in lines if _valid(line)])
    return ((directory, spec),) if spec.patterns else ()


def _valid(line: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except Exception:
        return False
    return True
