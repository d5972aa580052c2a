"""Imports of the project's own modules: what another file defines, bound where it is imported.

An imported module of the project is parsed and walked once per process, at module
level only and with no rule (``__init__`` and ``forward`` of its classes are walked,
as they are for a class of the linted file). Its top-level names become values of
the importing file: a class keeps its parameters, fields and methods, a function
its body, and both remember the module's names (``namespace``) so that a call into
them is interpreted in the module where they were written. Findings are never
reported in another file's lines: effects of a call into another file are
attributed to the call.

What a module's analysis gives is a function of the files only, never of what the
process did before (the result cache and parallel runs depend on it): a module is
kept per (path, depth), its analysis binds its own imports one level deeper with a
budget of its own, and a file's budget counts every module it uses, however many
earlier files of the same process loaded it already.
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
import tokenize
from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

import libcst as cst

from ..limits import MAX_BRACKETS, MAX_DEPTH, bracket_depth
from ..newer_syntax import uses_newer_syntax
from .parsed import cpython_depth, keep_tree, kept_tree, parse
from .import_priority import admit_past_budget
from .project import MAX_IMPORT_DEPTH, PathRecorder, _read, _stat_key, defines_nothing
from .scans import held
from .unread_modules import tells_nothing
from .syntax import dotted
from .values import UNKNOWN, UNREAD, Value
from .word_starts import whole_word_count


@dataclass
class Namespace:
    """The top-level names of one module of the project."""

    path: str
    env: dict
    functions: dict
    #: how many imports deep it was analysed (its own imports were bound one level deeper)
    depth: int = 0
    #: this module and those its analysis used, transitively: what binding it costs
    modules: FrozenSet[str] = frozenset()


#: distinct project modules one analysis (a linted file's, or an imported module's for its own
#: imports) may use; each imported module is parsed and walked once per process and depth
MAX_LOADS_PER_FILE = 6

#: seconds of whole-program work (other files, silent walks of callees) per linted file;
#: past it the file's analysis goes on function by function, as if every call were opaque
WHOLE_PROGRAM_SECONDS = 10.0
_DEADLINE = [0.0]
#: [the whole-program seconds the running stage of a file's budget allows (None: WHOLE_PROGRAM_SECONDS;
#: see ``staged_budget``), whether ``out_of_time`` said yes since the stage began]
_STAGE: list = [None, False]
#: bumped for each linted file: a kept module is checked against its files once per linted file
_GENERATION = [0]


def start_file() -> None:
    seconds = WHOLE_PROGRAM_SECONDS if _STAGE[0] is None else min(WHOLE_PROGRAM_SECONDS, _STAGE[0])
    _DEADLINE[0] = time.process_time() + seconds
    _GENERATION[0] += 1


def out_of_time() -> bool:
    """Whether the linted file has used up its whole-program time (see ``WHOLE_PROGRAM_SECONDS``)."""
    if time.process_time() > _DEADLINE[0]:
        _STAGE[1] = True  # what the stage gives is then partial (``staged_budget``)
        return True
    return False


def remaining_time() -> float:
    return _DEADLINE[0]


def restore_time(deadline: float) -> None:
    """After analysing another file for the linted one (its callers), the linted file's time goes on."""
    _DEADLINE[0] = deadline


class Kept:
    """What the analysis of other files gave (a module's names, a caller's contexts), with the
    files it read: it stands while none of them changes."""

    __slots__ = ("value", "paths", "stats", "checked")

    def __init__(self, value, paths: FrozenSet[str]):
        self.value = value
        self.paths = paths
        self.stats = tuple((path, _stat_key(path)) for path in sorted(paths))
        self.checked = _GENERATION[0]

    def current(self) -> bool:
        """Whether none of its files changed (looked at once per linted file)."""
        if self.checked != _GENERATION[0]:
            if any(_stat_key(path) != stat for path, stat in self.stats):
                return False
            self.checked = _GENERATION[0]
        return True


_LOADED: Dict[Tuple[str, int], Kept] = {}
_LOADING: set = set()
#: while a file is linted for the result cache: every project file its analysis read
_READS = PathRecorder()


def recording_reads():
    """The project files read for the analysis of what runs inside (modules, callers), however
    much of that this process had already analysed for earlier files."""
    return _READS.recording()


def note_reads(paths) -> None:
    _READS.note(paths)


def namespace_ref(path: str, depth: int) -> str:
    """What a value of module ``path`` analysed at ``depth`` names its module by (``Value.owner``)."""
    return f"{depth}:{path}"


def load_ref(ref: str) -> Optional[Namespace]:
    depth, _, path = ref.partition(":")
    return load_namespace(path, int(depth))


def load_namespace(path: str, depth: int) -> Optional[Namespace]:
    """Module ``path`` as an import ``depth`` levels below the linted file sees it (None: unknown)."""
    key = (path, depth)
    kept = _LOADED.get(key)
    if kept is None or not kept.current():
        if key in _LOADING or depth >= MAX_IMPORT_DEPTH:
            return None
        _LOADING.add(key)
        try:
            stat = _stat_key(path)
            namespace = _analyse_module(path, depth)
        finally:
            _LOADING.discard(key)
        kept = Kept(namespace, namespace.modules if namespace is not None else frozenset((path,)))
        if stat is not None and (path, stat) in kept.stats:  # else it changed while it was read
            _LOADED[key] = kept
    if _READS:
        note_reads(kept.paths)
    return kept.value


def _analyse_module(path: str, depth: int) -> Optional[Namespace]:
    data = _read(path)
    # a package's ``__init__`` that imports its own submodules (``from . import Models``) hands them
    # to ``import pkg`` then ``pkg.Models.Net()``, though it defines nothing itself
    if data is None or defines_nothing(data) and not _imports_own_modules(path, data):
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except Exception:
        return None
    module = parse_checked(text, path)
    if module is None:
        return None
    from .analyzer import Analyzer

    analyzer = Analyzer((), lambda *args: None, path=path, import_depth=depth + 1)
    analyzer.reporting = False
    try:
        analyzer.run_module_level(module)
    except (RecursionError, MemoryError):
        return None
    env = {}
    for name, value in analyzer.state.env.items():
        if "." in name:
            continue
        if value.kind == "func" and not value.owner:  # (a function it imports keeps its own module)
            value = value.with_(owner=namespace_ref(path, depth))
        env[name] = value
    namespace = Namespace(path, env, analyzer.functions, depth, frozenset(analyzer.used_modules | {path}))
    register_origins(path, analyzer.functions, env)
    _home_classes(namespace)
    return namespace


def _home_classes(namespace: Namespace) -> None:
    """The module's own classes remember its names: their methods, walked from another file, read
    the names this module binds (``from torch import distributions`` here), not the caller's."""
    for value in namespace.env.values():
        if value.kind == "class" and value.cls is not None and value.cls.namespace is None:
            value.cls.namespace = namespace


def home_caller_classes(path: str, analyzer) -> None:
    """After a caller file's analysis (``callers``): its classes whose instances it handed to the
    linted file (``AC_agent(Policy(...))``) keep the caller's top-level names, as an imported
    module's do."""
    env = {name: value for name, value in analyzer.state.env.items() if "." not in name}
    _home_classes(Namespace(path, env, analyzer.functions, 0, frozenset(analyzer.used_modules | {path})))


#: id(function node of a loaded module) -> (node, module path, qualified name)
_ORIGINS: Dict[int, Tuple[object, str, str]] = {}


def register_origins(path: str, functions: dict, env: dict) -> None:
    """Remember where the functions and methods of a loaded module come from."""
    for name, node in functions.items():
        _ORIGINS.setdefault(id(node), (node, path, name))
    for value in env.values():
        cls = value.cls if value.kind == "class" else None
        if cls is not None:
            for name, node in cls.methods.items():
                _ORIGINS.setdefault(id(node), (node, path, f"{cls.name}.{name}"))


def origin(function) -> Optional[Tuple[str, str]]:
    entry = _ORIGINS.get(id(function))
    if entry is None or entry[0] is not function:
        return None
    return entry[1], entry[2]


#: the facts ``parse_checked`` keeps in the scan store: brackets nested within ``MAX_BRACKETS``, and CPython
#: (this version: what it accepts changes) compiling the text nested within ``MAX_DEPTH``
_BRACKETS_FIT = f"brackets_fit\0{MAX_BRACKETS}"
_CPYTHON_FITS = f"cpython_fits\0{sys.version_info[0]}.{sys.version_info[1]}\0{MAX_DEPTH}"


def parse_checked(text: str, path: Optional[str] = None) -> Optional[cst.Module]:
    """Another file's syntax tree, or None when it cannot be (safely) parsed.

    With the file's ``path``, the tree is shared with the rest of the run (``parsed``):
    a file linted, imported or analysed as a caller is parsed once.
    """
    try:
        # both checks, of the same bytes, answered from the scan store: a run after an edit parses the
        # modules the edited file imports again, and checked them again (``held``)
        encoded = text.encode("utf-8", "surrogatepass")
        if not held(_BRACKETS_FIT, encoded, lambda: bracket_depth(text) <= MAX_BRACKETS):
            return None
        module = kept_tree(path, text) if path else None
        if module is None:
            # libcst's parser dies (SIGSEGV) on very deep nesting: measure it first, as for a linted file
            try:
                fits = held(_CPYTHON_FITS, encoded, lambda: cpython_depth(text) <= MAX_DEPTH)
            except SyntaxError:
                # syntax of a newer Python (PEP 695, PEP 701) is read as the linted file's is:
                # libcst decides, its checks on; the tree is not shared (``parsed`` keeps compiled text)
                module = parse(text)
                return module if uses_newer_syntax(module) else None
            if not fits:
                return None
            module = parse(text, compiled=True)
            if path:
                keep_tree(path, text, module)
        return module
    except Exception:  # an unreadable module of the project is only unknown
        return None


class Imports:
    """Binds imports that resolve to the project's own files (see the module doc)."""

    def _project_module(self, module: str, level: int) -> Optional[Namespace]:
        return self._project_module_read(module, level)[0]

    def _in_project(self, module: str, level: int) -> bool:
        """Whether the import names another module of the project (whether or not it is loaded)."""
        if self.project is None:
            return False
        path = self.project.find_module(module, self.path, level)
        return path is not None and os.path.abspath(path) != os.path.abspath(self.path) and not self._tells_nothing(path)

    def _tells_nothing(self, path: str) -> bool:
        """``unread_modules.tells_nothing``, the module's text noted as read (the result cache's key)."""
        if _READS:
            note_reads((path,))
        return tells_nothing(self.project, path)

    def _project_module_read(self, module: str, level: int) -> Tuple[Optional[Namespace], bool]:
        """The project module's names, and whether it is a module of the project left unread (its
        names are then ``UNREAD``: unknown, not a library's)."""
        if self.project is None:
            return None, False
        path = self.project.find_module(module, self.path, level)
        if path is None or os.path.abspath(path) == os.path.abspath(self.path):
            return None, False
        if path not in self.used_modules and (len(self.used_modules) >= MAX_LOADS_PER_FILE or out_of_time()):
            # a module the file's loops call is loaded all the same (``import_priority``)
            if out_of_time() or not admit_past_budget(self, path):
                return None, True
        namespace = self._use(path, load_namespace(path, self.import_depth))
        return namespace, namespace is None and not self._tells_nothing(path)

    def _use(self, path: str, namespace: Optional[Namespace]) -> Optional[Namespace]:
        """Count a module (and what its own analysis used) as used by this analysis."""
        self.used_modules.add(path)
        if namespace is not None:
            self.used_modules |= namespace.modules
        return namespace

    def _bind_project_from_import(self, node: cst.ImportFrom) -> bool:
        """``from X import a, b`` / ``from .X import *`` of the project: True when bound here."""
        module_name = dotted(node.module) if node.module is not None else ""
        if module_name is None:
            return False
        level = len(node.relative)
        if not isinstance(node.names, cst.ImportStar) and not any(
            self._called_in_file(dotted(alias.name) or "", alias) for alias in node.names
        ):
            # nothing imported here is called or subclassed in the linted file's text: its module is
            # not loaded. An import inside a function of another module (sevenn's `load_checkpoint()`
            # importing its checkpoint class; its names are not in the linted file's text at all)
            # still names the project's code, left unread
            foreign = all(word_count(self.source, _local_name(alias), most=1) == 0 for alias in node.names)
            namespace, unread = None, foreign and self._in_project(module_name, level)
        else:
            namespace, unread = self._project_module_read(module_name, level)
            if namespace is None and not isinstance(node.names, cst.ImportStar) and self._bind_submodules(node, module_name, level, unread):
                return True
        if namespace is None:
            if not unread or isinstance(node.names, cst.ImportStar):
                return False
            for alias in node.names:
                name = dotted(alias.name)
                if name is not None:
                    local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                    self._set(local, UNREAD)
            return True
        if isinstance(node.names, cst.ImportStar):
            for name, value in namespace.env.items():
                if not name.startswith("_"):
                    self._set(name, value)
            return True
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            value = namespace.env.get(name)
            if value is None or _unread_binding(value):
                # (a package whose ``__init__`` imports its submodule, ``from . import models``, binds
                # it there as a module it did not read: the submodule's own names are wanted here)
                submodule, unread = self._project_module_read(f"{module_name}.{name}".strip("."), level)
                value = _namespace_value(submodule) if submodule is not None else UNREAD if unread else UNKNOWN
            self._set(local, value)
        return True

    def _bind_submodules(self, node: cst.ImportFrom, module_name: str, level: int, unread: bool) -> bool:
        """``from lib import models`` of a package whose ``__init__`` defines nothing itself (it is
        empty, or only imports its submodules): the names that are submodules of the project are
        bound to their modules (``models.Net()`` is then the project's class). False when none is."""
        found = {}
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            submodule, _ = self._project_module_read(f"{module_name}.{name}".strip("."), level)
            if submodule is not None:
                found[name] = _namespace_value(submodule)
        if not found:
            return False
        for alias in node.names:
            name = dotted(alias.name)
            if name is not None:
                local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                self._set(local, found.get(name, UNREAD if unread else UNKNOWN))
        return True

    def _called_in_file(self, name: str, alias: cst.ImportAlias) -> bool:
        """Whether the linted file calls (or subclasses) what it imports under this name."""
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            name = alias.asname.name.value
        if not self.source or not name:
            return True  # no text to look at (an imported module's own analysis): assume so
        # used anywhere besides the import itself: called, subclassed, or aliased (`loss_fn = my_loss`)
        return word_count(self.source, name, most=2) >= 2

    def _bind_project_import(self, full: str, local: Optional[str]) -> bool:
        """``import a.b as c`` / ``import a`` of the project."""
        namespace, unread = self._project_module_read(full if local else full.split(".", 1)[0], 0)
        if namespace is None:
            if unread:
                self._set(local or full.split(".", 1)[0], UNREAD)
            return unread
        self._set(local or full.split(".", 1)[0], _namespace_value(namespace))
        return True

    def _namespace_attribute(self, namespace_value: Value, attr: str) -> Value:
        namespace = load_ref(namespace_value.owner)
        if namespace is None:
            return UNKNOWN
        if attr in namespace.env and not _unread_binding(namespace.env[attr]):
            return namespace.env[attr]
        package = os.path.dirname(namespace.path)
        if os.path.basename(namespace.path) == "__init__.py":
            # `pkg.sub` of a package that does not import its submodule `sub` itself
            for path in (os.path.join(package, attr + ".py"), os.path.join(package, attr, "__init__.py")):
                if os.path.isfile(path):
                    loaded = self._use(path, load_namespace(path, namespace.depth))
                    return _namespace_value(loaded) if loaded is not None else UNKNOWN if self._tells_nothing(path) else UNREAD
        return namespace.env.get(attr, UNKNOWN)

    def _function_table(self, owner: Optional[str]) -> Tuple[dict, Optional[dict]]:
        """The functions a "func" value may name, and the names its body sees (None: this file's)."""
        if not owner:
            return self.functions, None
        namespace = load_ref(owner)
        if namespace is None:
            return {}, None
        return namespace.functions, namespace.env


def word_count(text: str, name: str, most: Optional[int] = None) -> int:
    """How often the identifier ``name`` occurs in ``text`` as a whole word (as ``\\bname\\b`` counts), or
    ``most`` when it occurs at least that often (see ``word_starts.whole_word_count``)."""
    return whole_word_count(text, name, most)


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name) or ""


def _namespace_value(namespace: Namespace) -> Value:
    return Value(kind="namespace", owner=namespace_ref(namespace.path, namespace.depth))


def _unread_binding(value: Value) -> bool:
    """A name a module bound to project code it did not read (its own ``from . import sub``)."""
    return value.unread and value.kind == "unknown"


def _imports_own_modules(path: str, data: bytes) -> bool:
    """A package's ``__init__`` importing its own submodules: relatively (``from . import Models``,
    ``from .net import *``) or by the package's own name (``from models.net import *`` in
    ``models/__init__.py``)."""
    if os.path.basename(path) != "__init__.py" or len(data) > 20_000:
        return False
    if b"from ." in data:
        return True
    package = os.path.basename(os.path.dirname(path)).encode()
    return bool(package) and re.search(rb"^[ \t]*from[ \t]+" + re.escape(package) + rb"\.", data, re.M) is not None
