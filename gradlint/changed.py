"""``--changed-since REF``: the files, and the lines, changed since a git ref.

Git is asked only to read its object database (the repository root, the ref, the
merge base, the tree at the merge base, old file contents); the working tree is
compared with it here, in Python. That keeps git away from everything a linted
repository's ``.git/config`` or ``.gitattributes`` can turn into a command: the
fsmonitor hook (``core.fsmonitor``, run when git refreshes the index), clean/smudge
filters and textconv (run when git reads working-tree files for a diff), external diff
drivers, pagers and hooks. As a second line of defence every git call also switches
those off explicitly and runs in an environment with no system or global config.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .baseline import split_cell
from .engine import ENGINE_CODES, decode
from .rule import Finding

_NEUTRALISED = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "core.attributesFile=/dev/null",
    "-c", "diff.external=",
    "-c", "core.sshCommand=false",
    "-c", "protocol.allow=never",
)
_ENV_KEPT = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


class ChangedError(ValueError):
    pass


def _environment() -> Dict[str, str]:
    """Nothing from the caller's GIT_* variables, no system or global config, no prompts."""
    env = {name: os.environ[name] for name in _ENV_KEPT if name in os.environ}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_PAGER="cat",
        GIT_EXTERNAL_DIFF="",
        HOME=os.devnull,
        LC_ALL="C",
    )
    return env


def _git(args: Sequence[str], cwd: str, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "--no-pager", *_NEUTRALISED, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=120,
            env=_environment(),
        )
    except FileNotFoundError:
        raise ChangedError("--changed-since needs git, and git is not installed")
    except (OSError, subprocess.SubprocessError) as exc:
        raise ChangedError(f"git failed: {exc}")


def _first_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no message"


@dataclass
class Changes:
    """Changed files by absolute path; for each, the changed lines (``None``: every line is new)."""

    lines: Dict[str, Optional[Set[Tuple[Optional[int], int]]]] = field(default_factory=dict)

    def touches(self, path: str) -> bool:
        return os.path.abspath(path) in self.lines

    def on_changed_lines(self, findings: Sequence[Finding]) -> List[Finding]:
        """Findings on added or modified lines (errors, and source not from a file (stdin), are kept)."""
        kept = []
        for finding in findings:
            path, cell = split_cell(finding.location)
            absolute = os.path.abspath(path)
            changed = self.lines.get(absolute)
            if finding.code in ENGINE_CODES or absolute not in self.lines or changed is None \
                    or (cell, finding.line) in changed:
                kept.append(finding)
        return kept


def changes_since(ref: str, files: Sequence[str], where: str) -> Changes:
    """Which of ``files`` differ from the merge base of ``ref`` and HEAD (untracked ones included)."""
    if ref.startswith("-"):
        raise ChangedError(f"unknown git ref: {ref}")
    probe = _git(["rev-parse", "--show-toplevel"], where)
    if probe.returncode != 0:
        raise ChangedError(f"not inside a git repository ({os.path.abspath(where)}): {_first_line(probe.stderr)}")
    root = probe.stdout.decode("utf-8", "surrogateescape").strip()
    target = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if target.returncode != 0:
        raise ChangedError(f"unknown git ref: {ref}")
    base = _git(["merge-base", target.stdout.decode().strip(), "HEAD"], root)
    if base.returncode != 0:
        raise ChangedError(f"no common history between {ref} and HEAD (a shallow clone? fetch with depth 0)")
    tree = _tree(base.stdout.decode().strip(), root)
    object_format = _git(["rev-parse", "--show-object-format"], root).stdout.decode().strip() or "sha1"

    changes = Changes()
    modified: Dict[str, Tuple[str, bytes]] = {}
    for path in files:
        absolute = os.path.abspath(path)
        try:
            with open(absolute, "rb") as handle:
                data = handle.read()
        except OSError:
            changes.lines[absolute] = None  # the run reports why it cannot be read
            continue
        relative = _relative(absolute, root)
        old = tree.get(relative) if relative is not None else None
        if old is None:
            changes.lines[absolute] = None
        elif _blob_id(data, object_format) != old:
            modified[absolute] = (old, data)
    old_contents = _blobs([old for old, _ in modified.values()], root)
    for absolute, (old, data) in modified.items():
        changes.lines[absolute] = _changed_lines(old_contents.get(old), data, absolute.endswith(".ipynb"))
    return changes


def _relative(absolute: str, root: str) -> Optional[str]:
    try:
        relative = Path(absolute).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return None  # outside the repository: everything in it counts as new
    return relative.as_posix()


def _tree(commit: str, root: str) -> Dict[str, str]:
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit], root)
    if listing.returncode != 0:
        raise ChangedError(f"cannot list {commit}: {_first_line(listing.stderr)}")
    tree = {}
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        _, kind, object_id = meta.decode().split()
        if kind == "blob":
            tree[name.decode("utf-8", "surrogateescape")] = object_id
    return tree


def _blob_id(data: bytes, object_format: str) -> str:
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


def _blobs(object_ids: List[str], root: str) -> Dict[str, bytes]:
    """The contents of these blobs, read in one ``git cat-file --batch``."""
    if not object_ids:
        return {}
    result = _git(["cat-file", "--batch"], root, stdin="".join(f"{o}\n" for o in object_ids).encode())
    contents, data, position = {}, result.stdout, 0
    while position < len(data):
        end = data.index(b"\n", position)
        header = data[position:end].split()
        if len(header) != 3:  # "<id> missing"
            position = end + 1
            continue
        size = int(header[2])
        contents[header[0].decode()] = data[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return contents


def _changed_lines(old: Optional[bytes], new: bytes, notebook: bool) -> Optional[Set[Tuple[Optional[int], int]]]:
    """The (cell, line) of every added or modified line of ``new``; ``cell`` is None outside notebooks."""
    if old is None:
        return None
    try:
        old_lines, _ = _located_lines(old, notebook)
        new_lines, origin = _located_lines(new, notebook)
    except (ValueError, SyntaxError, LookupError):
        return None  # unreadable before or after: treat every line as new
    # line endings are not content: a CRLF checkout must not make every line "changed"
    matcher = difflib.SequenceMatcher(None, [l.rstrip() for l in old_lines], [l.rstrip() for l in new_lines], False)
    changed = set()
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(origin[index] for index in range(start, end))
    return changed


def _located_lines(data: bytes, notebook: bool) -> Tuple[List[str], List[Tuple[Optional[int], int]]]:
    if notebook:
        from .notebook import notebook_source

        text, cells = notebook_source(data)
        return text.splitlines(), [(cell, line) for cell, line in cells]
    lines = decode(data).splitlines()
    return lines, [(None, number) for number in range(1, len(lines) + 1)]
