"""``--fix``, ``--diff`` and ``--add-noqa`` over files, notebooks and stdin.

Every new content is computed before anything is written, so a run that fails
half-way leaves every file as it was; only findings the run reports (not those
``per-file-ignores`` suppresses) are fixed.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type

from .engine import decode, source_encoding
from .fixer import fix_source
from .rule import Finding, Rule
from .writeback import Change

_NOTEBOOK_CELL = re.compile(r"^(?P<path>.*\.ipynb):cell \d+$")

#: path -> whether a finding there may be fixed
Wanted = Callable[[str], Callable[[Finding], bool]]


def file_of(finding: Finding) -> str:
    """The file a finding is in (a notebook finding's path may name its cell)."""
    match = _NOTEBOOK_CELL.match(finding.path)
    return match.group("path") if match else finding.path


def fixable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix == "safe" or (finding.fix == "unsafe" and unsafe)


def encode_like(data: bytes, text: str) -> bytes:
    """``text`` in the encoding (and BOM) of the source it was decoded from."""
    return text.encode(source_encoding(data))


def fix_bytes(
    data: bytes, path: str, rules: Sequence[Type[Rule]], unsafe: bool, wanted: Callable[[Finding], bool]
) -> Tuple[bytes, int, List[Finding], str]:
    """(new content, fixes applied, findings after, a note when the file could not be fixed)."""
    if path.endswith(".ipynb"):
        from .notebook_fix import fix_notebook

        return fix_notebook(data, path, rules, unsafe, wanted)
    text = decode(data)
    result = fix_source(text, path, rules, unsafe, wanted)
    new = encode_like(data, result.text) if result.applied else data
    return new, result.applied, result.findings, result.note


def plan_fixes(
    findings: List[Finding], rules_for: Callable[[str], Sequence[Type[Rule]]], unsafe: bool, wanted: Wanted
) -> Tuple[List[Change], Dict[str, List[Finding]], List[Tuple[str, str]]]:
    """(changes to write, findings after the fixes by file, (path, note) for files left unfixed)."""
    paths = sorted({file_of(f) for f in findings if fixable(f, unsafe) and f.path != "-"})
    changes: List[Change] = []
    after: Dict[str, List[Finding]] = {}
    notes: List[Tuple[str, str]] = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            notes.append((path, f"not fixed: cannot read: {exc.strerror or exc}"))
            continue
        new, count, remaining, note = fix_bytes(data, path, rules_for(path), unsafe, wanted(path))
        if note:
            notes.append((path, note))
        if count and new != data:
            changes.append(Change(path, data, new, count))
            after[path] = remaining
    return changes, after, notes


def unified_diff(change: Change) -> str:
    old, new = change.old.decode("utf-8", "replace"), change.new.decode("utf-8", "replace")
    try:
        old, new = decode(change.old), decode(change.new)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        pass
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{change.path}", f"b/{change.path}"
        )
    )


def fix_stdin(
    data: bytes, path: str, rules: Sequence[Type[Rule]], unsafe: bool, wanted: Callable[[Finding], bool]
) -> Tuple[bytes, int, Optional[List[Finding]], str]:
    """The fixed piped source: it goes to stdout, nothing on disk changes."""
    try:
        return fix_bytes(data, path, rules, unsafe, wanted)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data, 0, None, "not fixed: cannot decode"
