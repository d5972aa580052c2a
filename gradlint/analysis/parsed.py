"""One libcst parse per file and process: the linted file and the files that import it share it.

A run lints a package whose modules import one another: without sharing, a module
is parsed once to be linted and again for every process that loads it as an import
(libcst's parse is most of a lint's cost). Trees are kept by path and exact text, so
an edited file (or an editor's unsaved buffer) never meets a stale tree.

A tree is kept only for text that CPython accepts, nested within the analysed depth
(``limits.MAX_DEPTH``): both users check that before parsing, so a kept tree stands
for that check too.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import threading
from collections import OrderedDict
from typing import Iterator, Optional, Tuple

import libcst as cst
from libcst._nodes.base import CSTNode

from ..limits import nesting_beyond
from .fast_nodes import swaps

#: source kept parsed, in characters (a tree costs about 25 bytes of memory per character)
MAX_KEPT_CHARS = 6_000_000

_KEPT: "OrderedDict[str, Tuple[str, cst.Module]]" = OrderedDict()
_SIZE = [0]


def parse(text: str, compiled: bool = False, aside: bool = False) -> cst.Module:
    """libcst's parse, without the cycle collector: a tree holds no cycles, and collecting
    while it is built only walks the young tree again and again.

    ``compiled``: CPython accepted the text. Then the parser's nodes are not validated
    (see ``_unvalidated``). ``aside``: the linted file's tree, set aside (``set_aside``)
    before the collector is back, whose first young collection would walk all of it.
    """
    with _no_cycle_collection():
        if not compiled:
            module = cst.parse_module(text)
        else:
            with _unvalidated():
                module = cst.parse_module(text)
        return set_aside(module) if aside else module


def cpython_depth(text: str) -> int:
    """How far CPython's tree of ``text`` nests beyond the analysed depth (``limits.nesting_beyond``),
    or a SyntaxError (ValueError, RecursionError, MemoryError) when CPython rejects the text.

    Parsed without the cycle collector, like ``parse``, and the tree is gone before the collector
    is back: its first young collection would otherwise walk every node of it.
    """
    with _no_cycle_collection():
        return nesting_beyond(ast.parse(text), text)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_VALIDATE = CSTNode.__post_init__
_UNVALIDATED = threading.Lock()


def _no_validation(self) -> None:
    return None


@contextlib.contextmanager
def _unvalidated() -> Iterator[None]:
    """Node constructors skip libcst's ``_validate`` (a fifth of a parse's time), and store their
    fields straight into the nodes' slots (``fast_nodes``).

    libcst validates every node its parser builds, though its parser builds only what
    the grammar allows (its own code says validation could move out of the parse); for
    text CPython compiled, a check can only pass. The lock keeps two threads (the
    language server's) from restoring each other's state; the original method is put
    back however the parse ends.
    """
    with _UNVALIDATED:
        fast = swaps()
        CSTNode.__post_init__ = _no_validation
        try:
            for cls, _, constructor in fast:
                cls.__init__ = constructor
            yield
        finally:
            for cls, own, _ in fast:
                cls.__init__ = own
            CSTNode.__post_init__ = _VALIDATE


#: whether the cycle collector has just run with nothing but live objects left (the runner
#: collects between files): then the linted file's new tree can be set aside at once
_SETTLED = [False]


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Around the lint of one file, right after a full collection (see ``set_aside``)."""
    _SETTLED[0] = True
    try:
        yield
    finally:
        _SETTLED[0] = False


def set_aside(module: cst.Module) -> cst.Module:
    """Exempt the linted file's fresh tree from the cycle collector, when nothing else young is garbage.

    A tree holds no cycles (refcounting frees it), but every collection of the young
    generations during the analysis would walk its hundreds of thousands of nodes again:
    about a sixth of a lint's time. Only the first tree after a collection is set aside:
    later, the analysis's own garbage is young too, and freezing would keep it forever.
    """
    if _SETTLED[0]:
        _SETTLED[0] = False
        gc.freeze()
    return module


def kept_tree(path: str, text: str) -> Optional[cst.Module]:
    """The tree of ``text`` if this process already parsed exactly it for ``path``."""
    key = os.path.abspath(path)
    entry = _KEPT.get(key)
    if entry is None or entry[0] != text:
        return None
    _KEPT.move_to_end(key)
    return entry[1]


def keep_tree(path: str, text: str, module: cst.Module) -> None:
    """Remember a tree of checked text (see the module doc); the least recently used go first."""
    if len(text) > MAX_KEPT_CHARS:
        return
    key = os.path.abspath(path)
    previous = _KEPT.pop(key, None)
    if previous is not None:
        _SIZE[0] -= len(previous[0])
    _KEPT[key] = (text, module)
    _SIZE[0] += len(text)
    while _SIZE[0] > MAX_KEPT_CHARS:
        _, (old, _) = _KEPT.popitem(last=False)
        _SIZE[0] -= len(old)


def forget_trees() -> None:
    _KEPT.clear()
    _SIZE[0] = 0
