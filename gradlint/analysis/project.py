"""The project a linted file belongs to: where its modules are and what other files tell about it.

A file is linted with two kinds of facts from the rest of its project:

- **Imports.** ``from models.gan import GAN``, ``from .losses import *``,
  ``import utils.train as T``: an import that resolves to a file of the project binds
  what that module defines (its classes with their parameters, methods and
  ``forward`` outputs, its functions with their bodies) instead of an opaque name.
  Modules are found the way Python would for a script run from its own directory or
  for a package: relative to the importing file's folder and to the folder above
  the topmost package. Each imported module is analysed once per process (no rules,
  module level only) to a bounded depth; a module that cannot be read or parsed is
  simply not known.
- **Callers elsewhere.** A function of this file that another file of the package
  imports by name and calls under ``torch.no_grad()`` may run without gradients: its
  grad mode at entry becomes unknown, so rules that claim a crash stay silent there.
  The scan uses CPython's ``ast`` on the files that mention a no-grad context only.

:func:`dependency_digest` summarises all of it for the result cache: a file's
findings change when a module it imports changes, or when the set of its functions
called under no_grad elsewhere does, and not otherwise.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import time
from typing import Dict, FrozenSet, List, Optional, Tuple

MAX_IMPORT_DEPTH = 2
MAX_MODULE_BYTES = 1_000_000
MAX_SCAN_FILES = 4000
#: a long-lived process (the language server) sees edits to other files after this many seconds
RESCAN_AFTER = 5.0
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env"})
_NO_GRAD_TEXT = (b"no_grad", b"inference_mode", b"set_grad_enabled")
_DISABLING = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})
_TOP_LEVEL_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)", re.MULTILINE)


def _stat_key(path: str) -> Optional[Tuple[int, int]]:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _read(path: str) -> Optional[bytes]:
    try:
        if os.path.getsize(path) > MAX_MODULE_BYTES or not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def package_top(directory: str) -> Optional[str]:
    """The topmost package folder above (or at) ``directory``, following ``__init__.py`` files."""
    top = None
    current = directory
    while os.path.isfile(os.path.join(current, "__init__.py")):
        top = current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return top


class Project:
    """Module look-up and the no-grad scan for the files under one folder."""

    def __init__(self, roots: Tuple[str, ...], scan_root: str, package: Optional[str]):
        self.roots = roots
        self.scan_root = scan_root
        #: the top package's name (imports of it are the project's own)
        self.package = package
        self._no_grad: Optional[FrozenSet[str]] = None
        self._scanned_at = 0.0

    def find_module(self, name: str, importer: str, level: int) -> Optional[str]:
        """The file of module ``name`` imported from ``importer`` (``level`` dots), if it is the project's."""
        parts = [part for part in name.split(".") if part] if name else []
        if level:
            base = os.path.dirname(os.path.abspath(importer))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = list(self.roots)
        for base in bases:
            candidate = os.path.join(base, *parts)
            for path in (candidate + ".py", os.path.join(candidate, "__init__.py")):
                if parts and os.path.isfile(path):
                    return path
                if not parts and level and os.path.isfile(os.path.join(base, "__init__.py")):
                    return os.path.join(base, "__init__.py")
        return None

    def no_grad_callees(self) -> FrozenSet[str]:
        """Names of functions that some file of the project imports by name and calls under no_grad."""
        now = time.monotonic()
        if self._no_grad is None or now - self._scanned_at > RESCAN_AFTER:
            names: set = set()
            for path in _python_files(self.scan_root):
                names |= _no_grad_calls(path, self.package)
            self._no_grad = frozenset(names)
            self._scanned_at = now
        return self._no_grad


_PROJECTS: Dict[Tuple[str, ...], Project] = {}


def project_for(path: str) -> Project:
    directory = os.path.dirname(os.path.abspath(path))
    top = package_top(directory)
    roots = (directory,) + ((os.path.dirname(top),) if top else ())
    key = roots
    project = _PROJECTS.get(key)
    if project is None:
        project = Project(roots, top or directory, os.path.basename(top) if top else None)
        _PROJECTS[key] = project
    return project


def forget_projects() -> None:
    """Drop what was learnt about projects (a long-lived process after files changed)."""
    _PROJECTS.clear()


def _python_files(root: str) -> List[str]:
    found: List[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.join(folder, name))
                if len(found) >= MAX_SCAN_FILES:
                    return found
    return found


_SCANNED: Dict[str, Tuple[Tuple[int, int], FrozenSet[str]]] = {}


def _no_grad_calls(path: str, package: Optional[str]) -> FrozenSet[str]:
    """Names a file imports (from its own project) and calls inside a no-grad block or function."""
    stat = _stat_key(path)
    cached = _SCANNED.get(path)
    if cached is not None and cached[0] == stat:
        return cached[1]
    result: FrozenSet[str] = frozenset()
    data = _read(path)
    if data is not None and any(marker in data for marker in _NO_GRAD_TEXT):
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        if tree is not None:
            result = _scan_tree(tree, package)
    _SCANNED[path] = (stat, result)
    return result


def _scan_tree(tree: ast.Module, package: Optional[str]) -> FrozenSet[str]:
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (package and (node.module or "").split(".")[0] == package)):
            imported.update(alias.asname or alias.name for alias in node.names)
    called = set()
    for node in ast.walk(tree):
        bodies = []
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_disables(item.context_expr) for item in node.items):
            bodies = node.body
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _disables(d) for d in node.decorator_list
        ):
            bodies = node.body
        for statement in bodies:
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in imported:
                    called.add(inner.func.id)
    return frozenset(called)


def _disables(node) -> bool:
    if isinstance(node, ast.Call):
        if isinstance(node.func, (ast.Name, ast.Attribute)) and _last(node.func) == "set_grad_enabled":
            return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value is False
        node = node.func
    return _last(node) in _DISABLING


def _last(node) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def defined_functions(text: str) -> FrozenSet[str]:
    return frozenset(_TOP_LEVEL_DEF.findall(text))


def imported_modules(project: Project, path: str, text: str) -> List[str]:
    """The project files a file imports (resolved without running anything)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = project.find_module(node.module or "", path, node.level)
            if module is not None:
                found.append(module)
            for alias in node.names:
                submodule = project.find_module(f"{node.module or ''}.{alias.name}".strip("."), path, node.level)
                if submodule is not None:
                    found.append(submodule)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module = project.find_module(alias.name, path, 0)
                if module is not None:
                    found.append(module)
    return found


def dependencies(path: str, text: str) -> List[Tuple[str, str]]:
    """The project modules a file imports, directly or through them (bounded depth): (path, text)."""
    project = project_for(path)
    seen = {os.path.abspath(path)}
    found: List[Tuple[str, str]] = []
    frontier = [(path, text)]
    for _ in range(MAX_IMPORT_DEPTH):
        following = []
        for importer, source in frontier:
            for module in imported_modules(project, importer, source):
                module = os.path.abspath(module)
                if module in seen:
                    continue
                seen.add(module)
                following.append((module, (_read(module) or b"").decode("utf-8", "replace")))
        found.extend(following)
        frontier = following
    return found


def dependency_digest(path: str, text: str) -> bytes:
    """What a file's findings depend on besides its own text (see the module doc)."""
    project = project_for(path)
    digest = hashlib.sha256()
    for module, source in dependencies(path, text):
        digest.update(module.encode("utf-8", "surrogateescape") + b"\0" + source.encode("utf-8", "replace") + b"\0")
    relevant = sorted(defined_functions(text) & project.no_grad_callees())
    digest.update(("\0".join(relevant)).encode())
    return digest.digest()
