"""Folders a script puts on ``sys.path`` itself, above its own.

``bigan/bigan.py`` starts with ``sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__),
"..")))`` and then ``from utils import *``: the ``utils.py`` it means is the one of the folder above,
shared by the repository's ``bigan/``, ``cyclegan/`` and ``gan_1d/`` scripts (axeloh/gan-pytorch in
corpus28; the same line opens many course and paper repositories). A plain name is otherwise looked
for only in the importer's own folder (``project.Project.find_module``): a ``utils`` above could be
anything. The script's own line says which folder it is, so a name not found in the project is looked
for there: ``dirname(__file__)`` climbed by each ``..`` or each further ``dirname``, or a bare
``".."`` / ``"../.."`` (relative to the folder the script runs from, its own as a rule). The modules
of the same folder that the script imports see the same ``sys.path`` (``bigan_models.py``'s own
``from utils import *``), so the lines of every script of the folder count for each of its files.
"""

from __future__ import annotations

import os
import re
from typing import Dict, Optional, Tuple

#: ``sys.path.append(...)`` / ``sys.path.insert(0, ...)``, its argument on one line
_ADDS = re.compile(rb"^\s*sys\.path\.(?:append|insert)\((.*)\)\s*(?:#.*)?$", re.M)
_UP = re.compile(rb"""['"]\.\.(?:[/\\]\.\.)*[/\\]?['"]""")
_CACHE: Dict[Tuple[str, int, int], Tuple[str, ...]] = {}
#: folder -> (the folders its scripts add, the scripts that say so), within a batch run (see
#: ``module_files.begin_batch``): every file of a package asks for its own folder again and again
_FOLDERS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], bool]] = {}
#: deeper than this is not a script's own repository any more
_MAX_UP = 3
#: a folder of more scripts than this is a package, not a folder of scripts sharing one ``sys.path``
_MAX_SCRIPTS = 60


def appended_folders(importer: str, roots: Tuple[str, ...] = ()) -> Tuple[str, ...]:
    """The folders above ``importer``'s that the ``sys.path`` lines of the scripts of its folder add,
    nearest first. ``sys.path`` is the process's: ``bigan/main.py`` adds the folder above, then imports
    ``bigan_models``, whose own ``from utils import *`` finds ``utils`` there too. An importer outside
    the project's ``roots`` was reached through such a line (``lib/deepDreamGAN.py``, found by
    ``testing/test.py``'s ``sys.path.append('../lib/')``): its own folder is on ``sys.path`` as well,
    where its ``from deepDream import *`` is found."""
    folder = os.path.dirname(os.path.abspath(importer))
    added = _appended(importer, folder)
    if roots and folder not in added and not any(folder == r or folder.startswith(r + os.sep) for r in roots):
        return added + (folder,)
    return added


def _appended(importer: str, folder: str) -> Tuple[str, ...]:
    from .module_files import in_batch  # (module_files is below project, which asks here)

    batch = in_batch()
    known = (_FOLDERS.get(folder) or _FOLDERS.get(importer)) if batch else None
    if known is None:
        known = _folder_adds(folder, importer)
        if known is None:
            return ()
        if batch:
            _FOLDERS[folder if known[2] else importer] = known
    added, telling, _ = known
    if telling:
        from .imports import note_reads  # (imports builds on project, which asks here)

        note_reads(telling)  # what they say is part of the result: the cache's key holds their texts
    return added


def forget_folders() -> None:
    """At a batch's start and end: the folders' scripts may have changed outside it."""
    _FOLDERS.clear()


def _folder_adds(folder: str, importer: str) -> Optional[Tuple[Tuple[str, ...], Tuple[str, ...], bool]]:
    """(the folders the ``sys.path`` lines of the scripts of ``folder`` add, nearest first, those scripts,
    whether the answer is the folder's: a package's, too large a folder for scripts, is the importer's own)."""
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".py"))
    except OSError:
        return None
    scripts = [os.path.join(folder, name) for name in names] if len(names) <= _MAX_SCRIPTS else [importer]
    found, telling = set(), []
    for script in scripts:
        adds = _file_adds(script)
        if adds:
            found.update(adds)
            telling.append(script)
    return tuple(sorted(found, key=len, reverse=True)), tuple(telling), len(names) <= _MAX_SCRIPTS


def _file_adds(importer: str) -> Tuple[str, ...]:
    """The folders above ``importer``'s that its own ``sys.path`` lines add, nearest first."""
    try:
        stat = os.stat(importer)
    except OSError:
        return ()
    key = (importer, stat.st_mtime_ns, stat.st_size)
    known = _CACHE.get(key)
    if known is not None:
        return known
    try:
        with open(importer, "rb") as handle:
            text = handle.read()
    except OSError:
        text = b""
    args = [_named(found.group(1), text[: found.start()]) for found in _ADDS.finditer(text)]
    ups = sorted({up for arg in args if 0 < (up := _levels_up(arg)) <= _MAX_UP})
    folder = os.path.dirname(os.path.abspath(importer))
    found = []
    for up in ups:
        above = folder
        for _ in range(up):
            above = os.path.dirname(above)
        found.append(above)
    for arg in args:
        sibling = _sibling_folder(arg, folder)
        if sibling is not None and sibling not in found:
            found.append(sibling)
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    known = _CACHE[key] = tuple(found)
    return known


def _named(arg: bytes, before: bytes) -> bytes:
    """The argument, or what the file last assigns to the name it is before the ``sys.path`` line
    (``path = os.path.abspath(...)`` then ``sys.path.append(path)``, ``sys.path.insert(0, root)``)."""
    name = arg.rpartition(b",")[2].strip()
    if not re.fullmatch(rb"[A-Za-z_]\w*", name):
        return arg
    assigned = re.findall(rb"^\s*" + name + rb"\s*=(?!=)\s*(.*)$", before, re.M)
    return assigned[-1] if assigned else b""


#: a relative path that climbs and then names a folder: ``"../lib/"``, ``'../src/utils'``
_SIBLING = re.compile(rb"""^\s*(?:0\s*,\s*)?['"]((?:\.\.[/\\])+)([\w.-]+(?:[/\\][\w.-]+)*)[/\\]?['"]\s*$""")


def _sibling_folder(arg: bytes, folder: str) -> Optional[str]:
    """The folder a ``sys.path`` line names by climbing from the script's and going down again
    (``sys.path.append('../lib/')`` in ``code/train.py``: ``lib/`` beside ``code/``, where the
    script's ``from helperFunctions import *`` is found), if it exists; at most ``_MAX_UP`` up."""
    match = _SIBLING.match(arg)
    if match is None:
        return None
    up = match.group(1).count(b"..")
    if up > _MAX_UP:
        return None
    target = folder
    for _ in range(up):
        target = os.path.dirname(target)
    parts = [part.decode("utf-8", "replace") for part in re.split(rb"[/\\]", match.group(2))]
    target = os.path.join(target, *parts)
    return target if os.path.isdir(target) else None


def _levels_up(arg: bytes) -> int:
    """How many folders above the script's own the ``sys.path`` argument names (0: none, or not known)."""
    quoted = _UP.search(arg)
    steps = quoted.group(0).count(b"..") if quoted else 0
    if b"__file__" in arg:
        # `dirname(__file__)` is the script's folder; each further dirname climbs one
        return steps + max(arg.count(b"dirname") - 1, 0)
    if quoted and quoted.group(0).strip(b"'\"/\\") == b"/".join([b".."] * steps) and arg.strip().endswith(quoted.group(0)):
        return steps  # a bare relative path, `sys.path.append("..")` or `insert(0, "../..")`
    return 0
