"""Find the Python files to lint under the given paths."""

from __future__ import annotations

import os
from typing import Iterator, List, Tuple

#: Directory names never descended into.
EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        "build",
        "dist",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".gradlint_cache",
        "node_modules",
        "site-packages",
        ".ipynb_checkpoints",
    }
)


#: Never walked, whatever the configuration says: not source trees.
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})


def _skip_dir(parent: str, name: str, defaults: bool = True) -> bool:
    if name in VCS_DIRS:
        return True
    if not defaults:  # `exclude = [...]` replaces the default excludes
        return False
    if name in EXCLUDED_DIRS or name.endswith(".egg-info"):
        return True
    # any virtualenv, whatever its name
    return os.path.isfile(os.path.join(parent, name, "pyvenv.cfg"))


def discover(paths: List[str], ignore=None, default_excludes: bool = True) -> Tuple[List[str], List[Tuple[str, str]]]:
    """Return (python files, [(path, error)] for directories that could not be read).

    Explicitly named files are linted whatever their extension, like flake8.
    ``ignore`` (a ``GitIgnore``) prunes what the walk finds below a named directory.
    """
    files: List[str] = []
    errors: List[Tuple[str, str]] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(_walk(path, errors, ignore, default_excludes))
        else:
            files.append(path)
    seen = set()
    unique = []
    for path in files:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, errors


def _walk(root: str, errors: list, ignore, default_excludes: bool) -> Iterator[str]:
    def onerror(exc: OSError) -> None:
        errors.append((exc.filename or root, exc.strerror or str(exc)))

    def ignored(path: str, is_dir: bool) -> bool:
        return ignore is not None and ignore.is_ignored(path, is_dir)

    for directory, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not _skip_dir(directory, d, default_excludes) and not ignored(os.path.join(directory, d), True)
        )
        for filename in sorted(filenames):
            if filename.endswith((".py", ".ipynb")):
                path = os.path.join(directory, filename)
                if not ignored(path, False):
                    yield path[2:] if path.startswith("./") else path
