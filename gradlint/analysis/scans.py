"""What the text scans of a project's files found, kept from one run to the next.

Every file linted asks two questions of all the other files of its project: which of
its functions they call under ``no_grad`` (``project``) and which of them import it
(``callers``). Each question is a text scan of every file of the project, made once per
process. A run over a large project after an edit is answered mostly from the result
cache, and those scans were most of its work.

The result cache's keys are built from text facts of every file too (the import statements
a file holds, the functions it defines): a warm run over a large project finds them here
instead of searching every file's text again.

The store (beside the result cache, the files ``scans-*.json``) keeps what a scan found in a file
under the digest of the scan's name and of the file's bytes: a file changed since (even
within the same second, at the same size) is scanned again and is never answered from an
entry about other bytes. The store is dropped whole when gradlint's code changes (a scan
may have changed with it), and a damaged part of it is ignored.

It is kept in ``SHARDS`` files, by the first two digits of the entries' digests, each read when
an entry of it is first asked for and written again only when the run added to it: a run after an
edit asks about the edited file, whose entries are new, and read and wrote the whole store (4 MB
for all of transformers, 0.1 s) to add a few.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import weakref
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

#: entries kept at most: those of the last run, then older ones (projects may share a cache folder);
#: a project of project.MAX_SCAN_FILES files asks about seven scans of each
MAX_ENTRIES = 100_000
#: the parts' names: ``scans-`` and two hex digits (``*/*.json`` beside them are the result cache's entries)
PREFIX = "scans-"
SHARDS = 256
#: what the store was before it was split: removed when the store is written
OLD_FILE_NAME = "scans.json"


def shard_name(key: str) -> str:
    return PREFIX + key[:2] + ".json"


class _Store:
    def __init__(self, folder: str, salt: str):
        self.folder = folder
        self.salt = salt
        #: shard name -> its entries, read on first use (a run answered whole from the run manifest
        #: never asks: see ``manifest``)
        self.shards: Dict[str, Dict[str, list]] = {}
        #: shard name -> the file's stat when it was read (None: not there)
        self.loaded_as: Dict[str, Optional[tuple]] = {}
        #: the keys this run asked for or added (kept first when the store is written)
        self.used: set = set()
        #: the shards this run added to (written on the way out)
        self.added: set = set()
        #: entries added since ``new_entries`` was last called
        self.fresh: Dict[str, list] = {}

    def shard(self, key: str) -> Dict[str, list]:
        name = shard_name(key)
        entries = self.shards.get(name)
        if entries is None:
            path = os.path.join(self.folder, name)
            self.loaded_as[name] = _signature(path)
            entries = self.shards[name] = _load(path, self.salt)
        return entries

    def get(self, key: str) -> Optional[list]:
        return self.shard(key).get(key)

    def put(self, key: str, names: list) -> None:
        self.shard(key)[key] = names
        self.added.add(shard_name(key))


def _signature(path: str) -> Optional[tuple]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


_STORE: List[Optional[_Store]] = [None]


@contextlib.contextmanager
def scan_store(directory: Optional[str], salt: str, before_writing: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Inside: ``scanned`` answers from the store in ``directory`` and adds to it (written on the way
    out, after ``before_writing``); ``salt`` names the code that scans (entries written under another
    are not read)."""
    if directory is None:
        yield
        return
    store = _Store(directory, salt)
    previous, _STORE[0] = _STORE[0], store
    try:
        yield
    finally:
        _STORE[0] = previous
        if store.added:
            try:
                before_writing()
            except OSError:
                return
            _save(store)
            _remove(os.path.join(directory, OLD_FILE_NAME))


def scanned(scan_name: str, data: bytes, scan: Callable[[bytes], FrozenSet[str]]) -> FrozenSet[str]:
    """``scan(data)``, from the store when it holds the answer for these very bytes."""
    found = _stored(scan_name, data)
    if found is not None:
        return frozenset(found)
    result = scan(data)
    _store(scan_name, data, sorted(result))
    return result


def scanned_text(scan_name: str, text: str, scan: Callable[[str], FrozenSet[str]]) -> FrozenSet[str]:
    """``scan(text)`` through ``scanned`` (of the text's bytes), answered again at once when asked of
    the very same text object as the last time, with the same store (a linted file's text is asked
    twice: by the analysis and by its cache key or callers; the store has the entry from the first)."""
    store = _STORE[0]
    last = _LAST_TEXT.get(scan_name)
    if last is not None and last[0] is text and (last[2] is None if store is None else last[2] is not None and last[2]() is store):
        return last[1]
    result = scanned(scan_name, text.encode("utf-8", "replace"), lambda _: scan(text))
    _LAST_TEXT[scan_name] = (text, result, None if store is None else weakref.ref(store))
    return result


#: scan name -> (the text it was last asked of, the answer, a weak reference to the store then or None)
_LAST_TEXT: Dict[str, tuple] = {}


def held(fact_name: str, data: bytes, test: Callable[[], bool]) -> bool:
    """``test()``, a fact about these very bytes; True from the store when it held for them before. Only
    a fact that holds is kept (one that does not may be a passing failure: out of memory, say)."""
    if _stored(fact_name, data) is not None:
        return True
    if not test():
        return False
    _store(fact_name, data, [])
    return True


def scanned_in_order(scan_name: str, data: bytes, scan: Callable[[bytes], Sequence[str]]) -> Tuple[str, ...]:
    """Like ``scanned``, for a scan whose strings come in an order that matters."""
    found = _stored(scan_name, data)
    if found is not None:
        return tuple(found)
    result = tuple(scan(data))
    _store(scan_name, data, list(result))
    return result


def _key(scan_name: str, data: bytes) -> str:
    digest = hashlib.blake2b(scan_name.encode() + b"\0", digest_size=20)
    digest.update(data)  # the same digest as of the joined bytes, without copying a large file's
    return digest.hexdigest()


def _stored(scan_name: str, data: bytes) -> Optional[list]:
    store = _STORE[0]
    if store is None:
        return None
    key = _key(scan_name, data)
    store.used.add(key)
    return store.get(key)


def _store(scan_name: str, data: bytes, result: List[str]) -> None:
    store = _STORE[0]
    if store is not None:
        key = _key(scan_name, data)
        store.put(key, result)
        store.fresh[key] = result


def new_entries() -> Dict[str, list]:
    """What this process added to the store since the last call: a worker process (forked inside
    ``scan_store``, so reading its parent's store) sends them to the parent, which writes them."""
    store = _STORE[0]
    if store is None:
        return {}
    fresh, store.fresh = store.fresh, {}
    return fresh


def add_entries(entries: Dict[str, list]) -> None:
    """Take what a worker process added (see ``new_entries``)."""
    store = _STORE[0]
    if store is not None and entries:
        for key, names in entries.items():
            store.put(key, names)
        store.used.update(entries)


def _load(path: str, salt: str) -> Dict[str, list]:
    try:
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
        entries = stored["entries"]
        if stored["salt"] != salt or not isinstance(entries, dict):
            return {}
        if not all(isinstance(names, list) and all(isinstance(name, str) for name in names) for names in entries.values()):
            return {}  # damaged or written by something else: scan again
        return entries
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return {}


def _save(store: _Store) -> None:
    """Write each shard the run added to: the entries it used first, then those another run wrote
    meanwhile, then older ones, up to its share of ``MAX_ENTRIES``."""
    most = MAX_ENTRIES // SHARDS
    used: Dict[str, list] = {}
    for key in store.used:
        used.setdefault(shard_name(key), []).append(key)
    try:
        os.makedirs(store.folder, exist_ok=True)
    except OSError:
        return  # a store that cannot be written is only slower
    for name in sorted(store.added):
        entries = store.shards[name]
        path = os.path.join(store.folder, name)
        kept = {key: entries[key] for key in used.get(name, ()) if key in entries}
        # what another run wrote meanwhile (nothing if the file is as this run read it: all in ``entries``)
        written = {} if store.loaded_as[name] is not None and _signature(path) == store.loaded_as[name] else _load(path, store.salt)
        for older in (written, entries):
            for key, names in older.items():
                if len(kept) >= most:
                    break
                kept.setdefault(key, names)
        try:
            handle, temporary = tempfile.mkstemp(dir=store.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(json.dumps({"salt": store.salt, "entries": kept}))  # (``dumps`` runs the C encoder)
            os.replace(temporary, path)
        except OSError:
            pass


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
