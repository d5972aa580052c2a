"""The run manifest: a warm run over a large project answers unchanged files from their stat.

A file's result-cache key covers its own bytes and what :func:`module_digests.dependency_digest`
reads of the rest of its project: the modules it imports (two levels deep: which rules' strings
each holds, see ``module_digests.key_digest``), the text of the files that call its training
functions, the entries of the folders its imports were
looked for in, and the project-wide text facts of every file (which files import which
words, what each calls under ``no_grad``). Computing it means reading and hashing all of
that again for every file: most of a warm run over all of transformers (about 3 ms a file).

The manifest (``manifest-*.json`` beside the result cache) remembers, for each file linted,
its key and the files whose text the key was computed from; for those files and every file
of the project listings, their stat signature, and for the folders, what they held. The
next run trusts a remembered key when

- every folder looked in still holds the same Python files and sub-folders (a file added,
  removed or renamed changes what imports resolve to: then no key is trusted); of a folder above
  the project, where a dotted import is looked for by its first name only (``module_files.name_key``),
  whether it still holds that name (``/tmp`` gains and loses folders all the time),
- every file of the projects' listings whose stat changed still has the same project-wide
  facts (else no key is trusted: another file's key may depend on them),
- and the file itself and each file its key was computed from have the stat they had, or were used
  by the key in a way that can be checked again on the file as it is now, and still hold: a file
  importing a linted file with training functions, which the key used only as calling none of them
  (``callers.NO_CALL``), still calls none of them; a module the key used through its key digest
  (``module_digests.DIGEST``), and for a module the file imports, its import statements as well
  (``module_digests.IMPORTS``: they tell which modules the key follows one level deeper), still has them.
  Every file importing ``utils.py`` is the first kind of file for ``utils.py``'s key, and most edits
  keep a module's strings and imports: without this, a comment added to
  ``models/bert/tokenization_bert.py`` of transformers computed the keys of 16 files again, reading
  the files they were computed from (0.7 s for ``generation/utils.py``, 0.8 s for
  ``models/__init__.py``). A key that stands is not yet the findings: the cache entry stands only
  while each module the lint read keeps its ``module_digests.module_digest`` (its text, when it mentions torch).

**What "the same stat" means.** Size, modification time, status-change time (``ctime``),
inode, device and mode, all as the manifest saw them. That is git's index check, stricter
than ruff's (modification time and size): a write that keeps the size and puts the old
modification time back (``os.utime``, ``touch -d``, an archive extracted over the file)
still changes the ``ctime``, which no user call can set. A signature is kept only for a
file (or folder) that had not changed for ``RACY_NS`` before the run started: a change made
in the same clock tick as the run's look would leave the signature as it was (git's "racily
clean" entries). The next run takes such a file as changed and checks it by content: a key stands
while what it used of the file still holds (the uses above), the file's own key while the file holds
the bytes it was computed from (``module_digests.CONTENT``). Dropping those keys made the run after
an edit just before a run compute them all again (5 s for transformers' ``modeling_bert.py``).
Left out on purpose: clocks that go backwards, and file systems that do not keep ``ctime`` (a
remembered key there is trusted on size and times alone).

A file whose key is trusted is answered from the result cache in the parent process,
without reading it: the cache entry is still checked against the digests of the files its
lint read (for those unchanged, from the manifest), and a missing or stale entry sends the
file to the workers as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from .analysis import module_files
from .analysis.module_digests import CONTENT, DIGEST, TEXT, module_digest, same_content, same_digest
from .analysis.project import listing_files, project_for
from .manifest_folders import entries_now, folder_entries, noted_answers

#: a file or folder changed this recently before the run started may change again unseen
RACY_NS = 2_000_000_000
PREFIX = "manifest-"

Signature = Tuple[int, ...]


def signature(path: str) -> Optional[Signature]:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_mode)


def _facts(stored) -> Optional[list]:
    """``callers.file_facts`` as stored (lists of strings), or None."""
    if stored is None:
        return None
    if not isinstance(stored, list) or not all(isinstance(part, list) and all(isinstance(s, str) for s in part) for part in stored):
        raise ValueError("damaged facts")
    return stored


def _settled(found: Optional[Signature], started_ns: int) -> bool:
    """Whether a signature can be trusted later: the file had not changed for RACY_NS before the run."""
    return found is not None and max(found[1], found[2]) < started_ns - RACY_NS


def _checks_own_content(path: str, consulted: Sequence[str], uses: Sequence[str]) -> bool:
    """Whether a key of ``path`` can be checked again on the file's own bytes (its ``CONTENT`` use)."""
    return dict(zip(consulted, uses)).get(path, TEXT).startswith(CONTENT)


class Manifest:
    """The manifest of one cache (one set of rules): see the module doc."""

    def __init__(self, directory: str, salt: bytes):
        self.path = os.path.join(directory, PREFIX + hashlib.sha256(salt).hexdigest()[:16] + ".json")
        self.salt = hashlib.sha256(salt).hexdigest()
        self.started_ns = time.time_ns()
        self._signatures: Dict[str, Optional[Signature]] = {}
        #: the previous run's: path -> [signature (None: not trusted), module digest or "", facts (listed files) or None]
        self.files: Dict[str, list] = {}
        self.folders: Dict[str, str] = {}
        #: (scan root, package) of each project listing whose files' facts are kept
        self.listings: set = set()
        #: linted path -> (key, the files its key was computed from, how it used each of them); the
        #: previous run's as read (the files and uses as numbers in one string each: see ``_decoded``)
        self.keys: Dict[str, Tuple[str, Any, Any]] = {}
        self._paths: List[str] = []
        self._uses: List[str] = []
        self._load()
        #: what this run learnt: path -> (key, files consulted), module digests, folders looked in
        self.learnt_keys: Dict[str, Tuple[str, Any, Any]] = {}
        self.learnt_digests: Dict[str, str] = {}
        self.noted: set = set()
        self.trusted = False
        #: the files whose stat is not the one remembered (see ``check``)
        self.changed: set = set()
        #: (changed file, use) -> whether the use still holds (see ``key``)
        self._uses_held: Dict[Tuple[str, str], bool] = {}
        #: path -> what ``key`` answered (since ``check``)
        self._answers: Dict[str, Optional[str]] = {}
        self._marks: Optional[List[str]] = None

    def _load(self) -> None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored["salt"] != self.salt:
                return
            paths = stored["paths"]
            files = {}
            for index, (found, digest, facts) in stored["files"].items():
                files[paths[int(index)]] = [tuple(found) if found is not None else None, str(digest), _facts(facts)]
            uses = [str(use) for use in stored["uses"]]
            keys = {}
            for path, (key, consulted, used) in stored["keys"].items():
                if not (isinstance(key, str) and isinstance(consulted, str) and isinstance(used, str)):
                    raise ValueError("damaged key")
                keys[path] = (key, consulted, used)
            folders = {str(folder): str(entries) for folder, entries in stored["folders"].items()}
            listings = {(str(root), package if package is None else str(package)) for root, package in stored["listings"]}
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError, AttributeError):
            return  # none, damaged or written by other code: every key is computed again
        self.files, self.keys, self.folders, self.listings = files, keys, folders, listings
        self._paths, self._uses = [str(path) for path in paths], uses

    def _decoded(self, remembered: Tuple[str, Any, Any]) -> Tuple[str, Tuple[str, ...], Tuple[str, ...]]:
        """(key, files, uses) of a key as read (its files and uses as numbers: most runs need neither)."""
        key, consulted, uses = remembered
        if not isinstance(consulted, str):
            return remembered
        files = tuple(self._paths[int(number)] for number in consulted.split())
        used = tuple(self._uses[int(number)] for number in uses.split())
        if len(used) != len(files):
            raise ValueError("damaged uses")
        return key, files, used

    def signature(self, path: str) -> Optional[Signature]:
        if path not in self._signatures:
            self._signatures[path] = signature(path)
        return self._signatures[path]

    def _unchanged(self, path: str) -> bool:
        entry = self.files.get(path)
        return entry is not None and entry[0] is not None and entry[0] == self.signature(path)

    def _packages(self, listings) -> List[Optional[str]]:
        return sorted({package for _, package in listings}, key=lambda package: (package is not None, package or ""))

    def check(self) -> bool:
        """Whether any remembered key can be trusted: the folders hold what they held, and no file
        whose stat changed has other project-wide facts."""
        from .analysis.callers import file_facts, know_facts

        self.trusted = False
        self._answers = {}
        if not self.keys:
            return False
        if any(entries_now(folder, entries) != entries for folder, entries in self.folders.items()):
            return False
        self.changed = {path for path in self.files if not self._unchanged(path)}
        packages = self._packages(self.listings)
        for path, (_, _, facts) in self.files.items():
            if facts is not None and path not in self.changed:
                know_facts(path, facts, packages)  # the project-wide scans need not read the file
        for path in self.changed:
            facts = self.files[path][2]
            if facts is not None and file_facts(path, packages) != facts:
                return False
        self.trusted = True
        return True

    def key(self, path: str) -> Optional[str]:
        """The key remembered for ``path``, if it and every file the key was computed from are unchanged."""
        if path not in self._answers:  # (asked again by ``save``)
            self._answers[path] = self._key(path)
        return self._answers[path]

    def _key(self, path: str) -> Optional[str]:
        if not self.trusted:
            return None
        remembered = self.keys.get(path)
        if remembered is None or (path not in self.changed and not self._unchanged(path)):
            return None
        if not self.changed:
            return remembered[0]
        if path not in self.changed and isinstance(remembered[1], str):
            if not any(mark in f" {remembered[1]} " for mark in self._changed_marks()):
                return remembered[0]  # computed from no changed file
        key, consulted, uses = self._decoded(remembered)
        if path in self.changed and not _checks_own_content(path, consulted, uses):
            return None  # its own bytes are in the key: they are checked again only through that use
        for other, use in zip(consulted, uses):
            if other in self.changed and not self._use_holds(other, use):
                return None
        return key

    def _changed_marks(self) -> List[str]:
        """How the changed files' numbers appear in the keys as read (see ``_decoded``)."""
        if self._marks is None:
            self._marks = [f" {number} " for number, path in enumerate(self._paths) if path in self.changed]
        return self._marks

    def _use_holds(self, path: str, use: str) -> bool:
        """Whether a changed file still gives what a key took from it (a ``TEXT`` use never does)."""
        from .analysis.callers import still_no_call

        held = self._uses_held.get((path, use))
        if held is None:
            if use.startswith(DIGEST):
                held = same_digest(path, use)
            elif use.startswith(CONTENT):
                held = same_content(path, use)
            else:
                held = use != TEXT and still_no_call(path, use)
            self._uses_held[(path, use)] = held
        return held

    def read_digest(self, path: str) -> str:
        """``module_digest(path)`` in hex, from the manifest when the file is unchanged."""
        digest = self.learnt_digests.get(path)
        if digest is None:
            entry = self.files.get(path)
            digest = entry[1] if entry is not None and entry[1] and self._unchanged(path) else module_digest(path).hex()
            self.learnt_digests[path] = digest
        return digest

    def learn(self, path: str, key: str, consulted: Dict[str, str], digests: Dict[str, str], folders: Iterable[str]) -> None:
        """What linting ``path`` learnt: its key, the files the key was computed from (-> how it used
        them), the digests of the files its lint read, and the folders its answers depend on."""
        if consulted.get(path, TEXT).startswith(CONTENT) and _settled(self.signature(path), self.started_ns):
            # its own bytes need no checking while its stat is trusted (``save`` keeps its stat)
            consulted = {other: use for other, use in consulted.items() if other != path}
        paths = tuple(sorted(consulted))
        self.learnt_keys[path] = (key, paths, tuple(consulted[other] for other in paths))
        self.learnt_digests.update(digests)
        self.noted.update(folders)

    def _listings(self, linted: Sequence[str]) -> set:
        """The project listings whose files' facts the manifest keeps: those of the linted files, and
        those the previous run knew while they stand."""
        listings = set(self.listings) if self.trusted else set()
        # one file per folder: a file's project is its folder's (``project_for``)
        folders = {os.path.dirname(path): path for path in linted if not path.endswith(".ipynb") and path != "-"}
        for path in folders.values():
            project = project_for(path)
            listings.add((project.scan_root, project.package))
        return listings

    def prepare(self, linted: Sequence[str]) -> None:
        """Before the workers fork: the project-wide facts of every listed file, here, once. The workers
        inherit them, so the facts ``save`` keeps are those every key of the run was computed from,
        even for a file that changes while the run goes on (its stat is then not kept, and the next
        run compares its facts with these)."""
        from .analysis.callers import file_facts

        listings = self._listings(linted)
        packages = self._packages(listings)
        for scan_root, package in sorted(listings, key=lambda listing: (listing[0], listing[1] or "")):
            for path in listing_files(scan_root, package):
                file_facts(path, packages)

    def save(self, linted: Sequence[str]) -> None:
        """Write what this run learnt, with what the previous run knew when it still holds; nothing when
        a folder looked in changed after the run started (its entries may not be what the run saw),
        nor when the manifest already holds it all (every key answered from it, no file changed)."""
        from .analysis.callers import file_facts

        listings = self._listings(linted)
        self.noted.update(module_files.noted_folders())
        noted = noted_answers(self.noted)
        if (
            self.trusted
            and not self.changed
            and listings == self.listings
            and all(self.keys.get(path) == learnt for path, learnt in self.learnt_keys.items())
            and all(key in self.folders and answers <= {self.folders[key]} for key, answers in noted.items())
        ):
            return
        # the keys as read (``_decoded``) are written back as they are while the files keep their numbers
        # and a key of a file this run did not lint only while it holds (its file or one it used may have changed)
        raw = {path: remembered for path, remembered in self.keys.items() if self.trusted and self.key(path) is not None}
        raw.update(self.learnt_keys)
        keys = {path: entry for path, entry in raw.items() if not isinstance(entry[1], str)}
        raw = {path: entry for path, entry in raw.items() if isinstance(entry[1], str)}
        packages = self._packages(listings)
        same_packages = packages == self._packages(self.listings)
        listed = set()
        for scan_root, package in listings:
            listed.update(listing_files(scan_root, package))
        # the folders looked in, by this process (the listings above too) and by the workers
        self.noted.update(module_files.noted_folders())
        folders = dict(self.folders) if self.trusted else {}
        for key, answers in noted_answers(self.noted).items():
            if not answers:
                folders.setdefault(key, "")
                continue
            if len(answers) > 1 or folders.get(key, next(iter(answers))) not in answers:
                return  # a name above the project changed while the run looked for it
            folders[key] = next(iter(answers))
        for folder, entries in folders.items():
            if "\0" in folder:
                if entries_now(folder, entries) != entries:
                    return  # (what the run found of a name is kept while it is still so)
                continue
            if not _settled(signature(folder), self.started_ns):
                return
            if not entries:  # (unchanged since before the run: a remembered folder holds what ``check`` saw)
                folders[folder] = folder_entries(folder)
        wanted = set(listed)
        if raw:
            wanted.update(self._paths)  # (among them, the files each key as read was computed from)
            wanted.update(raw)
        for path, (_, consulted, _) in keys.items():
            wanted.add(path)
            wanted.update(consulted)
        files: Dict[str, list] = {}
        for path in sorted(wanted):
            # as the run first saw it (a file it read changed since: its new stat will not match)
            found = self.signature(path)
            if not _settled(found, self.started_ns):
                found = None  # not trusted: a file changed so recently may change unseen
            old = self.files.get(path)
            kept = old if old is not None and found is not None and old[0] == found else None
            digest = (self.learnt_digests.get(path) or (kept[1] if kept is not None else "")) if found else ""
            facts = None
            if path in listed:
                facts = kept[2] if kept is not None and kept[2] is not None and same_packages else file_facts(path, packages)
            files[path] = [found, digest, facts]
        paths = sorted(files)
        if raw and paths != self._paths:
            keys.update((path, self._decoded(entry)) for path, entry in raw.items())
            raw = {}
        index = {path: number for number, path in enumerate(paths)}
        # a file whose stat is not kept is checked again next time by what each key used of it (``key``)
        untrusted = {path for path, entry in files.items() if entry[0] is None}
        uses = list(self._uses) if raw else []  # (then the numbers of the uses as read stay theirs)
        uses += sorted({TEXT}.union(*(used for _, _, used in keys.values())).difference(uses))
        use_index = {use: number for number, use in enumerate(uses)}
        entries = {
            path: [key, " ".join(str(index[c]) for c in consulted), " ".join(str(use_index[use]) for use in used)]
            for path, (key, consulted, used) in keys.items()
            if path not in untrusted or _checks_own_content(path, consulted, used)
        }
        for path, entry in raw.items():
            if path not in untrusted or _checks_own_content(path, *self._decoded(entry)[1:]):
                entries[path] = list(entry)
        stored = {
            "salt": self.salt,
            "paths": paths,
            "files": {str(index[path]): [entry[0], entry[1], entry[2]] for path, entry in files.items()},
            "keys": entries,
            "uses": uses,
            "folders": folders,
            "listings": sorted(listings, key=lambda listing: (listing[0], listing[1] or "")),
        }
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(json.dumps(stored))  # (``dumps`` runs the C encoder, ``dump`` does not)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a manifest that cannot be written is only slower
