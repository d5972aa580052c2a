"""Callers in other files: the contexts a training function is really called in.

The most common shape of real training code is a ``def train(model, loader,
optimizer, criterion):`` in one file, called from ``main.py`` with a real model and
a real optimizer. Linted alone, its parameters are unknown and the loop's pitfalls
go unreported. So when a linted file defines functions that drive training (its
text mentions ``backward``, ``.step(`` or ``.eval(``) or convert to NumPy (``.numpy()``:
a ``to_numpy(t)`` helper raises on the loss its caller passes), the files of its project
that import it and call one of its top-level names are analysed too (no rule, at
most ``MAX_CALLERS`` of them, each at most ``MAX_CALLER_BYTES``): every call they
make into the linted file's functions, or into methods of its classes, leaves a
context (argument values and grad mode) for the function's reporting walk, exactly
as a call in the same file would.

Callers are found through an index of what every file of the project imports
(built once per process, refreshed like the no-grad scan), then confirmed by the
analysis itself: an import that does not resolve to the linted file gives nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from . import imports, module_files
from .project import (
    NAMESPACE_DEPTH,
    TOP_MARKERS,
    _no_grad_calls,
    _read,
    _stat_key,
    defined_functions,
    in_snapshot,
    know_no_grad_calls,
    listing_files,
    project_for,
)
from .module_digests import note_consulted
from .scans import scanned, scanned_text
from .sibling_folders import importing_package
from .word_starts import found_at_line_starts, found_at_word_start

MAX_CALLERS = 3
MAX_CALLER_BYTES = 150_000
#: a function or class none of these appear in gains nothing from its callers' contexts: training calls,
#: and the conversions whose finding depends on what the caller passes (a loss helper's
#: ``torch.tensor(losses)`` cuts the graph of the losses its caller's model made, GRD101; a metrics or
#: plotting helper's ``np.sum(losses)`` / ``ax.plot(history)`` raises on them, GRD503); the definition,
#: which ``_calls_for_training`` answers as, faster; and a freeze helper's ``model.encoder.requires_grad =
#: False`` (GRD401), whose receiver is a module only by what its caller passes
_TRAINING_CALL = re.compile(
    r"\.backward\(|\.step\(|zero_grad\(|\.eval\(\)|\.numpy\(\)|\.requires_grad ?="
    r"|\btorch\.(?:tensor|as_tensor|Tensor|FloatTensor|DoubleTensor)\(|\b(?:np|numpy)\.\w+\(|\.plot\("
)
#: a tensor built from values: ``torch.tensor(``, ``torch.FloatTensor(``, ``Variable(``
_PACKING = re.compile(r"(?:[Tt]ensor|Variable)\s*\(")
_TOP_LEVEL_BLOCK = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|^(?=[^\s#])", re.MULTILINE)
#: ``^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#;]*)`` (multiline), at the text's start and
#: after a newline (``found_at_line_starts``)
_IMPORT_LINE = (
    re.compile(rb"[ \t]*(?:from[ \t]+([.\w]+)[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#;]*)"),
    re.compile(rb"\n[ \t]*(?:from[ \t]+([.\w]+)[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#;]*)"),
)
_WORD = re.compile(rb"\w+")

#: path -> (stat, the words of its import statements)
_IMPORT_WORDS: Dict[str, Tuple[Optional[Tuple[int, int]], FrozenSet[str]]] = {}
#: (caller, target) -> qualified name -> contexts (kept while the files they came from are unchanged)
_HARVESTS: Dict[tuple, "imports.Kept"] = {}


def _import_words(path: str) -> FrozenSet[str]:
    stat = _stat_key(path)
    cached = _IMPORT_WORDS.get(path)
    if cached is not None and cached[0] == stat:
        return cached[1]
    data = _read(path) or b""
    result = scanned("import_words", data, _scan_import_words) if b"import" in data else frozenset()
    _IMPORT_WORDS[path] = (stat, result)
    return result


def _scan_import_words(data: bytes) -> FrozenSet[str]:
    words = set()
    for module, names in found_at_line_starts(*_IMPORT_LINE, data):
        for word in _WORD.findall(module + b" " + names):
            words.add(word.decode("ascii", "replace"))
    return frozenset(words)


#: (the listing it was built from, word -> the files whose import statements hold it, in listing order)
_IMPORTERS: list = [None, {}]
#: the same for the listing of an import root (``import_root``), used beside the project's
_ROOT_IMPORTERS: list = [None, {}]


def files_importing(project, word: str) -> List[str]:
    """The project's files whose import statements mention ``word`` (those beside the package only if they
    import the package by its name: ``sibling_folders``).

    In a batch run (``project.one_snapshot``) from an index built once for the listing: asking
    every file of a large project for every linted file costs the square of its size.
    """
    found = _importers(project.python_files(), word, _IMPORTERS)
    return importing_package(found, project.sibling_files(), project.package, _import_words)


def _importers(files: List[str], word: str, kept: list) -> List[str]:
    if not in_snapshot():
        return [path for path in files if word in _import_words(path)]
    if kept[0] is not files:
        index: Dict[str, List[str]] = {}
        for path in files:
            for found in _import_words(path):
                index.setdefault(found, []).append(path)
        kept[:] = [files, index]
    return kept[1].get(word, [])


def import_root(path: str) -> Optional[str]:
    """For a file outside any package (its folder has no ``__init__.py``): the folder its own absolute
    imports start from, when they name a folder above it (``from FLAlgorithms.users.userbase import
    User`` in ``FLAlgorithms/users/userpFedGen.py``: the repository's top, above ``FLAlgorithms``),
    up to ``NAMESPACE_DEPTH`` folders up and never above a repository's top. Its files are the
    callers' place too (``FLAlgorithms/servers/`` builds the users): the file's own text says so, so
    the answer changes only with the file (whose bytes its cache key holds) and the folders looked
    in (noted for the run manifest)."""
    words = _import_words(path)
    if not words:
        return None
    root = None
    current = os.path.dirname(os.path.abspath(path))
    for _ in range(NAMESPACE_DEPTH):
        if any(module_files.marker_in(current, marker) for marker in TOP_MARKERS):
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        if os.path.basename(current) in words:
            root = parent
        current = parent
    return root


def module_word(path: str) -> str:
    """The name other files import this file by (its package's name for an ``__init__.py``)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return os.path.basename(os.path.dirname(os.path.abspath(path))) if stem == "__init__" else stem


def _stored_training_names(text: str) -> List[str]:
    """``training_names``, through the scan store."""
    found = scanned_text("training_names", text, lambda text: frozenset(_training_names_if_any(text)))
    return sorted(found)


def _training_names_if_any(text: str) -> List[str]:
    return training_names(text) if _calls_for_training(text) else []


#: ``_TRAINING_CALL``'s branches of plain text, and its branches that start at a word boundary,
#: without that boundary (see ``word_starts``)
_TRAINING_LITERALS = (
    ".backward(", ".step(", "zero_grad(", ".eval()", ".numpy()", ".plot(", ".requires_grad =", ".requires_grad="
)
_BOUNDED_CALL = re.compile(r"torch\.(?:tensor|as_tensor|Tensor|FloatTensor|DoubleTensor)\(|(?:np|numpy)\.\w+\(")


def _calls_for_training(text: str, start: int = 0, end: Optional[int] = None) -> bool:
    """Whether ``_TRAINING_CALL.search(text, start, end)`` finds a match, found faster."""
    end = len(text) if end is None else end
    if any(text.find(literal, start, end) >= 0 for literal in _TRAINING_LITERALS):
        return True
    return found_at_word_start(_BOUNDED_CALL, text, start, end)


def training_names(text: str) -> List[str]:
    """The top-level functions and classes whose text calls ``backward()``, ``step()``,
    ``zero_grad()``, ``eval()`` or ``numpy()``, or calls one of those of the file by name (a
    logger's ``log(self, name, data)`` handing ``data`` to the file's ``scalar_to_float``, which
    calls ``.numpy()``): those whose callers' arguments can matter."""
    names = set(_top_level_names(text, _calls_for_training))
    if not names:
        return []
    blocks = _top_level_blocks(text)
    while True:
        calling = re.compile(r"\b(?:%s)\s*\(" % "|".join(map(re.escape, sorted(names))))
        more = {name for name, start, end in blocks if name not in names and calling.search(text, start, end)}
        if not more:
            return sorted(names)
        names |= more


def packing_names(text: str) -> List[str]:
    """The top-level functions whose text may build a tensor from values (``torch.tensor(losses)``):
    whether a caller backpropagates what one returns can matter (``returned_backprops``)."""
    found = scanned("packing_names", text.encode("utf-8", "replace"), lambda _: frozenset(_top_level_names(text, _packs)))
    return sorted(found)


def _packs(text: str, start: int, end: int) -> bool:
    return _PACKING.search(text, start, end) is not None


def _top_level_names(text: str, found: Callable[[str, int, int], bool]) -> List[str]:
    """The top-level functions and classes in whose text (up to the next top-level statement) ``found`` finds something."""
    return sorted({name for name, start, end in _top_level_blocks(text) if found(text, start, end)})


def _top_level_blocks(text: str) -> List[Tuple[str, int, int]]:
    """(name, start, end) of each top-level function and class: its text runs up to the next top-level statement."""
    blocks = []
    starts = list(_TOP_LEVEL_BLOCK.finditer(text))
    for index, match in enumerate(starts):
        if match.group(1) is not None:
            blocks.append((match.group(1), match.end(), starts[index + 1].start() if index + 1 < len(starts) else len(text)))
    return blocks


#: how a cache key uses a file that imports the linted one and calls none of its training names
#: (followed by the names): the key changes with that file only when it calls one (``still_no_call``)
NO_CALL = "no call:"


def _call_test(names: Sequence[str]) -> Callable[[Optional[bytes]], bool]:
    """Whether a file's bytes (None: unreadable) make it a caller: readable, not too large, and calling a name."""
    alternatives = "|".join(re.escape(name) for name in names)
    # a subclass of one of its classes calls its methods too (``class FSLTrainer(Trainer):`` then
    # ``FSLTrainer(model).train_step(batch)``: the base's step runs the subclass's hooks)
    # and a static or class method called on a class (``SO2.from_matrix(rotation)``)
    call = re.compile(
        r"(?m)\b(?:%s)(?:\s*\.\s*\w+)?\s*\(|^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\b(?:%s)\b" % (alternatives, alternatives)
    )
    # a file that calls a name holds its bytes: most importers of a shared module (``utils``) do
    # not, and are passed over without decoding them or running the (slow, many-way) search
    encoded = [name.encode("utf-8") for name in names]

    def calls(data: Optional[bytes]) -> bool:
        if data is None or len(data) > MAX_CALLER_BYTES or b"\x00" in data:
            return False
        if not any(name in data for name in encoded):
            return False
        return bool(call.search(data.decode("utf-8", "replace")))

    return calls


def caller_files(path: str, text: str) -> List[str]:
    """The project files (at most ``MAX_CALLERS``) that import this one and call one of its training names."""
    return files_calling(path, _stored_training_names(text))


def files_calling(path: str, names: Sequence[str]) -> List[str]:
    """The project files (at most ``MAX_CALLERS``) that import the file at ``path`` and call one of ``names``;
    each consulted file becomes part of the result cache's key (``note_consulted``)."""
    if not names:
        return []
    project = project_for(path)
    word = module_word(path)
    own = os.path.abspath(path)
    calls = _call_test(names)
    no_call = NO_CALL + " ".join(names)
    found = []
    candidates = files_importing(project, word)
    package = _reexporting_package(path, word)
    if package is not None:
        # ``import MLlib`` then ``MLlib.Models.Net()``: the package's ``__init__`` imports the module
        listed = set(candidates)
        candidates = candidates + [c for c in files_importing(project, package) if c not in listed]
    root = import_root(path) if project.package is None else None
    if root is not None and root != project.scan_root:
        listed = set(candidates)
        candidates = candidates + [c for c in _importers(listing_files(root, None), word, _ROOT_IMPORTERS) if c not in listed]
    # the scripts in folders beside the package (``sibling_folders``) only when nearer files call none:
    # more callers only join their contexts into one (``calls.MAX_CONTEXTS``), which knows less
    beside = project.sibling_files()
    if beside:
        candidates = [c for c in candidates if c not in beside] + [c for c in candidates if c in beside]
    for candidate in candidates:
        if os.path.abspath(candidate) == own:
            continue
        if candidate in beside and found and found[0] not in beside:
            break
        if not calls(_read(candidate)):
            note_consulted(candidate, no_call)
            continue
        note_consulted(candidate)  # a caller: its bytes are part of the key (``callers_digest``)
        found.append(candidate)
        if len(found) >= MAX_CALLERS:
            break
    return found


def _reexporting_package(path: str, word: str) -> Optional[str]:
    """The name of the package whose ``__init__.py`` imports the module at ``path`` (``from . import
    Models``), so that importing the package reaches the module; None when it does not."""
    folder = os.path.dirname(os.path.abspath(path))
    init = os.path.join(folder, "__init__.py")
    if os.path.abspath(path) == init or not os.path.isfile(init):
        return None
    return os.path.basename(folder) if word in _import_words(init) else None


def still_no_call(path: str, use: str) -> bool:
    """Whether the file at ``path``, which a key used as ``NO_CALL`` (see ``caller_files``), still calls
    none of the names: then the key is the same whatever else changed in it."""
    if not use.startswith(NO_CALL):
        return False
    names = use[len(NO_CALL) :].split()
    return bool(names) and not _call_test(names)(_read(path))


def caller_texts(path: str, text: str) -> List[str]:
    """The texts of the files whose calls give this one's functions their arguments (``caller_files``)."""
    return [read_text(caller) for caller in caller_files(path, text)]


def read_text(path: str) -> str:
    return (_read(path) or b"").decode("utf-8", "replace")


def callers_digest(path: str, text: str) -> bytes:
    """What the contexts from callers depend on, for the result cache."""
    digest = hashlib.sha256()
    for caller in caller_files(path, text):
        digest.update(caller.encode("utf-8", "surrogateescape") + b"\0" + (_read(caller) or b"") + b"\0")
    packing = packing_names(text)
    if packing:  # (rarely any: the callers a returned packing is looked for in, ``returned_backprops``)
        digest.update(b"packing\0")
        for caller in files_calling(path, packing):
            digest.update(caller.encode("utf-8", "surrogateescape") + b"\0" + (_read(caller) or b"") + b"\0")
    return digest.digest()


def contexts_from_callers(path: str, text: str) -> Dict[str, list]:
    """Qualified name (``train``, ``Trainer.fit``) -> the contexts its callers in other files give."""
    found: Dict[str, list] = {}
    target = os.path.abspath(path)
    for caller in caller_files(path, text):
        if imports.out_of_time():
            break
        for name, contexts in _harvest(os.path.abspath(caller), target).items():
            known = found.setdefault(name, [])
            known.extend(c for c in contexts if all(c.key() != k.key() for k in known))
    return found


def _harvest(caller: str, target: str) -> Dict[str, list]:
    key = (caller, target)
    kept = _HARVESTS.get(key)
    if kept is None or not kept.current():
        if len(_HARVESTS) > 2000:
            _HARVESTS.clear()
        stats = (_stat_key(caller), _stat_key(target))
        result, used = _analyse_caller(caller, target)
        kept = imports.Kept(result, frozenset(used | {caller, target}))
        if stats == (dict(kept.stats)[caller], dict(kept.stats)[target]):  # else one changed while read
            _HARVESTS[key] = kept
    imports.note_reads(kept.paths)
    return kept.value


def _analyse_caller(caller: str, target: str) -> Tuple[Dict[str, list], set]:
    """What the caller's calls into the target give, and the project modules its analysis used."""
    from .analyzer import Analyzer

    data = _read(caller)
    if data is None:
        return {}, set()
    text = data.decode("utf-8", "replace")
    module = imports.parse_checked(text, caller)
    if module is None:
        return {}, set()
    deadline = imports.remaining_time()
    analyzer = Analyzer((), lambda *args: None, path=caller)
    imports.restore_time(deadline)  # the caller's imports cost the linted file's time
    analyzer.harvest = {}
    analyzer.harvest_target = target
    try:
        analyzer.run(module, text)
    except Exception:  # a caller the analysis cannot follow gives no context; the linted file is unaffected
        return {}, analyzer.used_modules
    finally:
        imports.restore_time(deadline)
    imports.home_caller_classes(caller, analyzer)
    return analyzer.harvest, analyzer.used_modules


def scan_projects(paths: Sequence[str]) -> None:
    """Before a batch run's workers fork (inside ``project.one_snapshot``): the scans of the
    projects that the files to lint will ask for, made here once, not again in every worker."""
    done: set = set()
    for path in paths:
        if path.endswith(".ipynb") or path == "-":
            continue
        project = project_for(path)
        listing = (project.scan_root, project.package)
        if (listing, "no_grad") in done and (listing, "importers") in done:
            continue
        data = _read(path)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        # what dependency_digest asks: the no-grad scan for a file defining functions, the
        # importers for one with training functions
        names = defined_functions(text)
        if (listing, "no_grad") not in done and names:
            project.no_grad_callees(names)
            done.add((listing, "no_grad"))
        if (listing, "importers") not in done and _stored_training_names(text):
            files_importing(project, module_word(path))
            done.add((listing, "importers"))


def file_facts(path: str, packages: Sequence[Optional[str]]) -> list:
    """What the project-wide scans take from the file at ``path``: the words of its import statements,
    then what it calls under no_grad for each of ``packages``. A file whose facts are the same changes
    no other file's cache key through them (see ``manifest``)."""
    return [sorted(_import_words(path))] + [sorted(_no_grad_calls(path, package)) for package in packages]


def know_facts(path: str, facts: list, packages: Sequence[Optional[str]]) -> None:
    """Take ``file_facts(path, packages)`` as known for the file as it is now (the run manifest knows them
    for a file whose stat has not changed), instead of reading and scanning it."""
    stat = _stat_key(path)
    if stat is None:
        return
    _IMPORT_WORDS[path] = (stat, frozenset(facts[0]))
    for package, names in zip(packages, facts[1:]):  # one answer per package the file is scanned for
        know_no_grad_calls(path, stat, frozenset(names), package)
