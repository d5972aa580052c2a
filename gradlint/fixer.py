"""``--fix``: apply the rules' fixes in rounds, keeping only what verifies.

A round applies every fix that does not overlap another at once and lints the
result once. It is kept if the linter then reports, for each rule, at least one
finding fewer per fix applied and nothing new; otherwise the round is bisected
to find the fixes at fault, which are never tried again. Rounds repeat until no
fix is left (the fixed point: a second run changes nothing), at most MAX_ROUNDS.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from .engine import lint_text, source_lines
from .rule import Finding, Rule

MAX_ROUNDS = 20


@dataclass
class FixResult:
    text: str
    applied: int = 0
    #: what the linter reports on ``text``
    findings: List[Finding] = field(default_factory=list)
    #: why the file was not fixed, when it was not
    note: str = ""


class _Replace(cst.CSTTransformer):
    """Replace one node (``old``, ``new``), or many at once (a dict from ``id(old)`` to new)."""

    def __init__(self, old, new: Optional[cst.CSTNode] = None):
        super().__init__()
        self.replacements: Dict[int, cst.CSTNode] = old if isinstance(old, dict) else {id(old): new}

    def on_leave(self, original_node, updated_node):
        return self.replacements.get(id(original_node), updated_node)


def fix_text(
    text: str,
    path: str,
    rules: Sequence[Type[Rule]],
    unsafe: bool,
    wanted: Optional[Callable[[Finding], bool]] = None,
) -> Tuple[str, int]:
    """The source with every applicable fix applied, and how many were applied."""
    result = fix_source(text, path, rules, unsafe, wanted)
    return result.text, result.applied


def fix_source(
    text: str,
    path: str,
    rules: Sequence[Type[Rule]],
    unsafe: bool,
    wanted: Optional[Callable[[Finding], bool]] = None,
) -> FixResult:
    """Fix ``text``; ``wanted`` chooses which reported findings may be fixed (default: all)."""
    sink: list = []
    findings = lint_text(text, path, rules, fix_sink=sink)
    result = FixResult(text, 0, findings)
    if not sink:
        return result
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        result.note = f"not fixed: it uses syntax this Python ({_python()}) cannot check, so fixes cannot be verified"
        return result
    failed: set = set()
    for _ in range(MAX_ROUNDS):
        lines = source_lines(result.text)
        candidates = [
            entry
            for entry in sink
            if entry[2] is not None
            and (entry[1].safe or unsafe)
            and (wanted is None or wanted(entry[0]))
            and _key(entry[0], lines) not in failed
        ]
        if not candidates:
            break
        chosen = _non_overlapping(candidates)
        outcome = _apply_verified(result, chosen, path, rules, lines, failed)
        if outcome is None:
            continue  # every fix of the round failed: they are in `failed` now
        result, sink = outcome
    return result


def _apply_verified(result: FixResult, chosen: list, path, rules, lines, failed: set):
    """Apply as many of ``chosen`` as verify, bisecting a failing group: (FixResult, next sink) or None."""
    before = Counter(f.code for f in result.findings)
    module = chosen[0][3]
    accepted: list = []
    best = None

    def attempt(group: list) -> None:
        nonlocal best
        trial = accepted + group
        text = module.visit(_Replace({id(entry[1].old): entry[1].new for entry in trial})).code
        sink: list = []
        findings = lint_text(text, path, rules, fix_sink=sink)
        if _improves(before, Counter(f.code for f in findings), Counter(entry[0].code for entry in trial)):
            accepted.extend(group)
            best = (FixResult(text, result.applied + len(trial), findings), sink)
        elif len(group) == 1:
            failed.add(_key(group[0][0], lines))
        else:
            middle = len(group) // 2
            attempt(group[:middle])
            attempt(group[middle:])

    attempt(chosen)
    return best


def _improves(before: Counter, after: Counter, fixed: Counter) -> bool:
    """Each rule lost at least one finding per fix of it, and no rule reports more than before."""
    if any(after[code] > before[code] - count for code, count in fixed.items()):
        return False
    return all(after[code] <= before[code] for code in after)


def _non_overlapping(candidates: list) -> list:
    """The fixes of one round: in source order, each clear of the ones before it (nested ones wait)."""
    chosen: list = []
    end = (0, 0)
    seen: set = set()
    for entry in sorted(candidates, key=lambda e: (_start(e[2]), _end(e[2]))):
        if id(entry[1].old) in seen:
            continue  # two findings, one fix
        if chosen and _start(entry[2]) < end:
            continue
        chosen.append(entry)
        seen.add(id(entry[1].old))
        end = _end(entry[2])
    return chosen


def _start(where) -> Tuple[int, int]:
    return (where.start.line, where.start.column)


def _end(where) -> Tuple[int, int]:
    return (where.end.line, where.end.column)


def _key(finding: Finding, lines: List[str]) -> tuple:
    # survives the line moving: a fix that failed once is not tried again
    line = lines[finding.line - 1] if finding.line <= len(lines) else ""
    return (finding.code, line.strip(), finding.column)


def _python() -> str:
    import sys

    return f"{sys.version_info[0]}.{sys.version_info[1]}"
