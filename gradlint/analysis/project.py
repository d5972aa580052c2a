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
- **Callers elsewhere.** Files that import this one and call its training functions
  give them their real arguments (see ``callers``). Besides, a function of this file
  that another file of the package imports by name and calls under
  ``torch.no_grad()`` may run without gradients: its grad mode at entry becomes
  unknown, so rules that claim a crash stay silent there. That scan reads the text of
  the files that mention a no-grad context only.

``module_digests.dependency_digest`` summarises all of it for the result cache.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

from . import module_files
from .path_appends import appended_folders
from .instance_calls import instance_called_without_grad
from .no_grad_instances import classes_called_without_grad
from .scans import scanned, scanned_text
from .sibling_folders import sibling_files
from .word_starts import found_at_line_starts

#: imports followed from the linted file: its own, and those of the modules it imports
MAX_IMPORT_DEPTH = 2
MAX_MODULE_BYTES = 1_000_000
#: a larger module is not analysed for the files that import it (its parse would dominate)
MAX_LOADED_BYTES = 150_000
MAX_SCAN_FILES = 4000
#: a long-lived process (the language server) sees edits to other files after this many seconds
RESCAN_AFTER = 5.0
#: a module defines a model, a loss or a training step only if it mentions one of these
TORCH_TEXT = ("torch", "nn.", "backward", "Module")
_TORCH_BYTES = tuple(marker.encode() for marker in TORCH_TEXT)
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env"})
_NO_GRAD_TEXT = (b"no_grad", b"inference_mode", b"set_grad_enabled")
_DISABLING = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})
#: ``^(?:async\s+)?def\s+(\w+)`` and ``^[ \t]+(?:async\s+)?def\s+(\w+)`` (multiline), each as the pattern at
#: the text's start and the one after a newline, which ``re`` finds faster (``found_at_line_starts``)
_TOP_LEVEL_DEF = (re.compile(r"(?:async\s+)?def\s+(\w+)"), re.compile(r"\n(?:async\s+)?def\s+(\w+)"))
_INDENTED_DEF = (re.compile(r"[ \t]+(?:async\s+)?def\s+(\w+)"), re.compile(r"\n[ \t]+(?:async\s+)?def\s+(\w+)"))


#: ``self.sum += val * n``: a method adding what it is given into a field of its object
_ADDS_INTO_FIELD = re.compile(rb"\bself\.\w+(?:\[[^\]\n]*\])?[ \t]*\+=[ \t]*[A-Za-z_(]")
#: ``self.log_probs.append(log_prob)``: a method keeping what it is given in its object (a rollout memory,
#: see ``nested_fields``)
_FILLS_FIELD = re.compile(rb"\bself\.\w+\.(?:append|extend|insert|appendleft)\(")
#: ``np.mean(losses)``, ``ax.plot(history)``: a metrics or plotting helper converting what it is given with
#: NumPy, which raises on the grad tensors a training loop passes it (GRD503)
_CONVERTS_WITH_NUMPY = re.compile(
    rb"\b(?:np|numpy)\.(?:sum|mean|average|std|var|min|max|median|array|asarray|stack|concatenate|log|exp|sqrt)\("
    rb"|\.(?:plot|scatter|semilogy|hist)\("
)


def defines_nothing(data: bytes) -> bool:
    """Whether a file importing this module learns nothing from it: the module is too large to
    load, binary, or never mentions torch (so it defines nothing the analysis knows) and none of
    its methods adds a value it is given into its object (a torch-free ``AverageMeter`` whose
    ``update(val)`` keeps the graph of every loss tensor a training loop passes it), appends one to a list
    of its object (a rollout memory keeping each step's log-probability) or converts one
    with NumPy (a torch-free ``plots.py`` whose ``ax.plot(history["loss"])`` raises on the losses a
    training loop kept)."""
    if len(data) > MAX_LOADED_BYTES or b"\x00" in data:
        return True
    if any(marker in data for marker in _TORCH_BYTES):
        return False
    return not _ADDS_INTO_FIELD.search(data) and not _CONVERTS_WITH_NUMPY.search(data) and not _FILLS_FIELD.search(data)


#: inside ``one_snapshot``: the files are taken not to change, and each is looked at once
_SNAPSHOT = [False]
#: which snapshot: what a project listed or resolved in an earlier one is looked at again
_EPOCH = [0]
_STATS: Dict[str, Optional[Tuple[int, int]]] = {}


@contextlib.contextmanager
def one_snapshot() -> Iterator[None]:
    """A batch run: the project's files are listed, looked at and scanned once for all the files
    linted, instead of again for each (a long-lived process, the language server, keeps looking:
    there another file may change between two lints)."""
    _SNAPSHOT[0] = True
    _EPOCH[0] += 1
    _STATS.clear()
    _TOPS.clear()
    module_files.begin_batch()
    try:
        yield
    finally:
        _SNAPSHOT[0] = False
        _STATS.clear()
        _TOPS.clear()
        module_files.end_batch()
        from .module_digests import forget_recent_texts  # it builds on this module

        forget_recent_texts()  # modules kept only because nothing was to change during the run


def in_snapshot() -> bool:
    return _SNAPSHOT[0]


def _stat_key(path: str) -> Optional[Tuple[int, int]]:
    if _SNAPSHOT[0] and path in _STATS:
        return _STATS[path]
    try:
        stat = os.stat(path)
        key: Optional[Tuple[int, int]] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if _SNAPSHOT[0]:
        _STATS[path] = key
    return key


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
    while True:
        module_files.note_folder(current)  # what is found depends on the folder's entries
        if not os.path.isfile(os.path.join(current, "__init__.py")):
            break
        top = current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return top


#: how many folders above a file's own an absolute dotted import is looked for (see find_module)
NAMESPACE_DEPTH = 3


#: files that mark the top of a repository or of a distribution: the search stops there
TOP_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", ".hg")


def _outside_project(top: str) -> bool:
    """A top-level module of the standard library: not looked for in the project's folders. (Not
    whether a package is installed: that depends on the environment and the working directory,
    and a file's findings must not.)"""
    return top in sys.stdlib_module_names or top in ("torch", "numpy", "torchvision")


_ANCESTORS: Dict[tuple, Tuple[str, ...]] = {}


def _ancestors(importer: str, roots: Tuple[str, ...]) -> Tuple[str, ...]:
    """The folders above ``importer``'s, nearest first, that are not already roots; up to the
    top of its repository (a folder with ``.git``, ``pyproject.toml``, ``setup.py``...), never above."""
    folder = os.path.dirname(os.path.abspath(importer))
    key = (folder, roots)
    known = _ANCESTORS.get(key)
    if known is None:
        if len(_ANCESTORS) > 10_000:
            _ANCESTORS.clear()
        known = _ANCESTORS[key] = _folders_above(folder, roots)
    return known


def _folders_above(folder: str, roots: Tuple[str, ...]) -> Tuple[str, ...]:
    found = []
    current = folder
    if any(module_files.marker_in(current, marker) for marker in TOP_MARKERS):
        return ()
    for _ in range(NAMESPACE_DEPTH):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
        if current not in roots:
            found.append(current)
        if any(module_files.marker_in(current, marker) for marker in TOP_MARKERS):
            break
    return tuple(found)


class _Stamped:
    """What was learnt about the files at some time, learnt again when stale."""

    def _stale(self, field: str) -> bool:
        """Whether what was learnt at the time in ``field`` must be learnt again (and the time is now):
        in a new snapshot, or RESCAN_AFTER seconds later outside any."""
        now = (_EPOCH[0], 0.0) if _SNAPSHOT[0] else (_EPOCH[0], time.monotonic())
        then = getattr(self, field, None)
        if then is not None and then[0] == now[0] and (_SNAPSHOT[0] or now[1] - then[1] <= RESCAN_AFTER):
            return False
        setattr(self, field, now)
        return True


class _Listing(_Stamped):
    """The Python files under a folder, and what the no-grad scan finds in them: shared by the
    files of every folder below it."""

    def __init__(self, scan_root: str, package: Optional[str]):
        self.scan_root = scan_root
        self.package = package
        self._files: Optional[List[str]] = None
        #: what the files call under no_grad (for the listing ``_callees_of``)
        self._callees: Optional[FrozenSet[str]] = None
        self._callees_of: Optional[List[str]] = None
        #: the files of the listing in folders beside the package
        self.siblings: FrozenSet[str] = frozenset()

    def python_files(self) -> List[str]:
        if self._stale("_scanned_at") or self._files is None:
            files = _python_files(self.scan_root)
            # the scripts beside the top package (``train.py`` next to ``models/``), which import it
            # as ``models.x``: the callers of its functions and the no-grad calls into them. So for a
            # folder with no ``__init__.py`` (a namespace package, as ``models/`` often is), unless
            # it is the top of its repository.
            at_top = any(module_files.marker_in(self.scan_root, m) for m in TOP_MARKERS)
            if self.package is not None or not at_top:
                files += _scripts_in(os.path.dirname(self.scan_root))
            # and the scripts in the folders beside a package (``bin/test_asr.py``: ``sibling_folders``)
            beside = sibling_files(self.scan_root, _SKIPPED_DIRS) if self.package is not None and not at_top else []
            self.siblings = frozenset(beside)
            self._files = files + beside
        return self._files

    def no_grad_callees(self) -> FrozenSet[str]:
        files = self.python_files()
        if self._callees is None or self._callees_of is not files:
            found: set = set()
            for path in files:
                found |= _no_grad_calls(path, self.package)
            self._callees, self._callees_of = frozenset(found), files
        return self._callees


class Project(_Stamped):
    """Module look-up and the no-grad scan for the files under one folder."""

    def __init__(self, roots: Tuple[str, ...], scan_root: str, package: Optional[str]):
        self.roots = roots
        self.scan_root = scan_root
        #: the top package's name (imports of it are the project's own)
        self.package = package
        key = (scan_root, package)
        self._listing = _LISTINGS.get(key) or _LISTINGS.setdefault(key, _Listing(scan_root, package))
        #: find_module's answers, as of ``_found_at`` (snapshot, time)
        self._found: Dict[tuple, Optional[str]] = {}

    def find_module(self, name: str, importer: str, level: int) -> Optional[str]:
        """The file of module ``name`` imported from ``importer`` (``level`` dots), if it is the project's."""
        bases = (module_files.package_base(importer, level),) if level else self.roots
        # the files of a package resolve the same names again and again (in a batch run, the
        # answers are shared by the projects of all its folders)
        if not _SNAPSHOT[0] and self._stale("_found_at"):
            self._found.clear()
        found = module_files.find_in(name, bases, level > 0, self._found)
        if found is None and not level and "." in name and not _outside_project(name.split(".", 1)[0]):
            # `from FLAlgorithms.users.userbase import User` in FLAlgorithms/users/userFedDistill.py,
            # folders without __init__.py (namespace packages) run from the repository's top: a
            # dotted name whose whole path of folders is found above the importer is that module
            # (names of the standard library are not looked for there)
            found = module_files.find_in(name, _ancestors(importer, self.roots), False, self._found, above=True)
        if found is None and not level and not _outside_project(name.split(".", 1)[0]):
            # `sys.path.append(os.path.join(os.path.dirname(__file__), ".."))` then `from utils import *`
            added = appended_folders(importer, self.roots)
            if added:
                found = module_files.find_in(name, added, False, self._found, above=True)
        return found

    def no_grad_callees(self, names: FrozenSet[str]) -> FrozenSet[str]:
        """Those of ``names`` that some file of the project imports by name and calls under no_grad.

        Only files whose text mentions a no-grad context and calls one of the names are parsed.
        """
        return self._listing.no_grad_callees() & names if names else frozenset()

    def no_grad_methods(self, path: str, names: FrozenSet[str]) -> FrozenSet[str]:
        """Those of the method ``names`` defined in the file at ``path`` that a file importing it
        calls under no_grad, on any object: ``unit.load_from(weights)`` inside ``with torch.no_grad():``,
        where ``unit`` is one of a model's children and its class is not known. Such a method may run
        without gradients (a call the analysis resolves gives a context of its own instead)."""
        if not names:
            return frozenset()
        from .callers import files_importing, module_word  # (callers builds on this module)

        own = os.path.abspath(path)
        found: set = set()
        importers = [caller for caller in files_importing(self, module_word(path)) if os.path.abspath(caller) != own]
        for caller in importers:
            found.update(name[1:] for name in _no_grad_calls(caller, self.package) if name[0] == ".")
        if "__call__" in names and "__call__" not in found:
            # an object of the file's class called by an importer under no_grad (``instance_calls``)
            texts = (_read(caller) or b"" for caller in importers)
            if instance_called_without_grad(_read(path) or b"", texts, lambda i: _no_grad_calls(importers[i], self.package)):
                found.add("__call__")
        qualified = set()
        if "forward" in names and importers:
            # objects of a class of the file that importers call only under no_grad (``no_grad_instances``)
            texts = [_read(caller) or b"" for caller in importers]
            qualified = {f"{cls}.forward" for cls in classes_called_without_grad(_read(path) or b"", texts)}
        return frozenset(found) & names | qualified

    def python_files(self) -> List[str]:
        """The project's Python files (listed again after ``RESCAN_AFTER`` seconds, outside ``one_snapshot``).

        What is built on the listing (the no-grad scan, the index of importers) is built again
        with it."""
        return self._listing.python_files()

    def sibling_files(self) -> FrozenSet[str]:
        """Those of ``python_files`` in the folders beside the package (``sibling_folders``)."""
        self._listing.python_files()
        return self._listing.siblings


_PROJECTS: Dict[Tuple[str, ...], Project] = {}
_LISTINGS: Dict[Tuple[str, Optional[str]], _Listing] = {}


#: directory -> its package top, inside ``one_snapshot`` (the files of a folder ask alike)
_TOPS: Dict[str, Optional[str]] = {}


def project_for(path: str) -> Project:
    directory = os.path.dirname(os.path.abspath(path))
    if _SNAPSHOT[0]:
        if directory not in _TOPS:
            _TOPS[directory] = package_top(directory)
        top = _TOPS[directory]
    else:
        top = package_top(directory)
    roots = (directory,) + ((os.path.dirname(top),) if top else ())
    key = roots
    project = _PROJECTS.get(key)
    if project is None:
        project = Project(roots, top or directory, os.path.basename(top) if top else None)
        _PROJECTS[key] = project
    return project


def listing_files(scan_root: str, package: Optional[str]) -> List[str]:
    """The Python files of the listing the projects scanning ``scan_root`` share (see ``_Listing``)."""
    key = (scan_root, package)
    return (_LISTINGS.get(key) or _LISTINGS.setdefault(key, _Listing(scan_root, package))).python_files()


def forget_projects() -> None:
    """Drop what was learnt about projects (a long-lived process after files changed)."""
    _PROJECTS.clear()
    _LISTINGS.clear()


def _scripts_in(folder: str) -> List[str]:
    """The Python files directly in ``folder`` (not in its sub-folders), at most ``MAX_SCRIPTS``."""
    module_files.note_folder(folder)
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".py") and entry.is_file())
    except OSError:
        return []
    return [os.path.join(folder, name) for name in names[:MAX_SCRIPTS]]


#: scripts beside a top package looked at (a folder of hundreds of loose modules is no project's top)
MAX_SCRIPTS = 50


def _python_files(root: str) -> List[str]:
    found: List[str] = []
    for folder, dirs, files in os.walk(root):
        module_files.note_folder(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.join(folder, name))
                if len(found) >= MAX_SCAN_FILES:
                    return found
    return found


#: (path, package) -> (stat, names): a file's answer depends on the package it is scanned for (what
#: counts as the project's own import), and a script beside two packages is scanned for each
_SCANNED: Dict[Tuple[str, Optional[str]], Tuple[Tuple[int, int], FrozenSet[str]]] = {}


def _no_grad_calls(path: str, package: Optional[str]) -> FrozenSet[str]:
    """Names a file imports (from its own project) and calls inside a no-grad block or function.

    A text scan (by indentation), not a parse: it runs over many files on every lint of
    one, and erring towards more names only makes rules quieter.
    """
    stat = _stat_key(path)
    cached = _SCANNED.get((path, package))
    if cached is not None and cached[0] == stat:
        return cached[1]
    data = _read(path) or b""
    if any(marker in data for marker in _NO_GRAD_TEXT):
        result = scanned(f"no_grad_calls\0{package or ''}", data, lambda data: _scan_no_grad_calls(data, package))
    else:
        result = frozenset()
    _SCANNED[path, package] = (stat, result)
    return result


def know_no_grad_calls(path: str, stat: Tuple[int, int], names: FrozenSet[str], package: Optional[str]) -> None:
    """Take ``names`` as what the file at ``path``, scanned for ``package``, calls under no_grad while
    it has ``stat``."""
    _SCANNED[path, package] = (stat, names)


def _scan_no_grad_calls(data: bytes, package: Optional[str]) -> FrozenSet[str]:
    imported = set()
    for module, names in found_at_line_starts(*_IMPORT_FROM, data):
        top = module.split(b".")[0]
        if package:
            own = top == package.encode()
        else:
            # `from metrics import run_validation` in a folder of scripts (no package): a sibling
            # module is imported by its bare name. Any module but the standard library and torch may
            # be the project's; a name taken from a library instead only makes the rules quieter.
            own = not _outside_project(top.decode("ascii", "replace"))
        if module.startswith(b".") or own:
            for match in re.finditer(rb"(\w+)(?:\s+as\s+(\w+))?", names.strip(b"()")):
                imported.add((match.group(2) or match.group(1)).decode("ascii", "replace"))
    called = set()
    methods = set()
    if imported:
        lines = data.splitlines()
        for number, line in enumerate(lines):
            match = _NO_GRAD_LINE.match(line)
            if match is None:
                continue
            indent = len(match.group(1))
            for body in lines[number + 1 :]:
                stripped = body.lstrip()
                if stripped and len(body) - len(stripped) <= indent and not stripped.startswith((b"def ", b"async def", b"@", b")")):
                    break
                called.update(name.decode("ascii", "replace") for name in _CALL.findall(body))
                methods.update(name.decode("ascii", "replace") for name in _METHOD_CALL.findall(body))
    # methods called on any object, marked with a dot (see ``Project.no_grad_methods``)
    return frozenset(called & imported) | frozenset("." + name for name in methods)


#: ``^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)`` (multiline) at the text's start and after
#: a newline (``found_at_line_starts``)
_IMPORT_FROM = (
    re.compile(rb"[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)"),
    re.compile(rb"\n[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)"),
)
_NO_GRAD_LINE = re.compile(
    rb"^([ \t]*)(?:(?:async[ \t]+)?with\b.*\b(?:no_grad|inference_mode)\b|(?:async[ \t]+)?with\b.*set_grad_enabled\(\s*False"
    rb"|@[\w.]*\b(?:no_grad|inference_mode)\b)"
)
_CALL = re.compile(rb"\b(\w+)\s*\(")
_METHOD_CALL = re.compile(rb"\.(\w+)\s*\(")


def defined_functions(text: str) -> FrozenSet[str]:
    return scanned_text("defined_functions", text, lambda text: frozenset(found_at_line_starts(*_TOP_LEVEL_DEF, text)))


def defined_methods(text: str) -> FrozenSet[str]:
    """The names of the functions a file defines inside a class or a function."""
    return scanned_text("defined_methods", text, lambda text: frozenset(found_at_line_starts(*_INDENTED_DEF, text)))


_IMPORTS: Dict[Tuple[Tuple[str, ...], str, int, int], List[str]] = {}


def imported_modules(project: Project, path: str, text: str) -> List[str]:
    """The project files a file imports (resolved without running anything).

    An absolute import resolves against the roots of the project asking (the linted file's
    folder first, as for a script run from there): the same module may import different
    files for linted files in different folders, so the answer is kept per project. Kept
    per file only, it would depend on which file asked first, and so would every result
    cache key built on it (a warm run re-linted files whose key changed with the order).
    """
    path = os.path.abspath(path)
    key = (project.roots, path, len(text), hash(text))
    cached = _IMPORTS.get(key)
    if cached is None:
        if len(_IMPORTS) > 200_000:
            _IMPORTS.clear()
        cached = _IMPORTS[key] = module_files.resolve(project, path, text)
    return cached


class PathRecorder:
    """Paths noted while some ``recording()`` is open, added to the set of each open one
    (recordings nest: a file's lint inside a whole run)."""

    def __init__(self) -> None:
        self._open: List[set] = []

    def __bool__(self) -> bool:
        return bool(self._open)

    @contextlib.contextmanager
    def recording(self) -> Iterator[set]:
        paths: set = set()
        self._open.append(paths)
        try:
            yield paths
        finally:
            self._open.remove(paths)

    def note(self, paths) -> None:
        for recorded in self._open:
            recorded.update(paths)
