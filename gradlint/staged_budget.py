"""A file's time budget in two stages, so that running out of time loses precision, not findings.

Stage one is the full analysis under most of the file's CPU budget (``FULL_SHARE``). Inside it,
the whole-program work (the project modules the file imports, its callers in other files, silent
walks of callees) has a share of its own (``WHOLE_PROGRAM_SHARE``, at most
``imports.WHOLE_PROGRAM_SECONDS``): past it, calls are opaque and unread modules unknown
(``imports.out_of_time``), and the file's analysis goes on function by function.

When stage one runs out, the file is analysed again with the whole-program work off from the
start (every project module unread, every call opaque: unknown, hence silent) under what is left
of the budget. Only when that runs out too does the file get the timeout finding.

A result that lacks whole-program work it would have had is reported with a note (one line on
stderr, not a finding: the file was linted, and a run that passes must go on passing, as Ruff's
warnings do), and is not kept in the result cache: a later run, on a faster or idler machine, may
give the full result.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator, List, Optional, Tuple

from .analysis import imports
from .limits import OutOfTime, time_budget, wall_backstop
from .rule import Finding

#: the share of a file's CPU budget its full analysis may take; the cheaper one has the rest
FULL_SHARE = 0.75
#: the share of a file's CPU budget its whole-program work may take within the full analysis
WHOLE_PROGRAM_SHARE = 1 / 6

#: (path, note) of the files linted in this process with less than the full analysis, not yet taken
_NOTES: List[Tuple[str, str]] = []


def staged_lint(lint: Callable[[], List[Finding]], seconds: Optional[float]) -> Tuple[List[Finding], Optional[str]]:
    """(``lint()``'s findings, a note when they come from less than the full analysis).

    ``seconds``: the file's CPU budget (None: unbounded, but the whole-program work keeps its
    own bound). Raises OutOfTime when even the cheaper analysis runs out, or the whole file's
    wall-clock backstop passes.
    """
    if not seconds:
        with whole_program_share(None) as cut:
            findings = lint()
        return findings, (_cut_note(imports.WHOLE_PROGRAM_SECONDS, "its bound") if cut[0] else None)
    started_cpu, started_wall = time.process_time(), time.monotonic()
    share = min(imports.WHOLE_PROGRAM_SECONDS, WHOLE_PROGRAM_SHARE * seconds)
    try:
        with whole_program_share(share) as cut, time_budget(FULL_SHARE * seconds, wall_backstop(seconds)):
            findings = lint()
        return findings, (_cut_note(share, "a share of --file-timeout") if cut[0] else None)
    except OutOfTime as exc:
        if exc.on_the_clock:
            raise  # the file blocks (or gets no CPU): a second try would block as well
    left_cpu = seconds - (time.process_time() - started_cpu)
    left_wall = wall_backstop(seconds) - (time.monotonic() - started_wall)
    if left_cpu <= 0 or left_wall <= 0:
        raise OutOfTime(on_the_clock=left_wall <= 0)
    with whole_program_share(-1.0), time_budget(left_cpu, left_wall):
        findings = lint()
    return findings, _fallback_note(FULL_SHARE * seconds, seconds)


@contextlib.contextmanager
def whole_program_share(seconds: Optional[float]) -> Iterator[List[bool]]:
    """The whole-program seconds of the files linted inside (None: ``WHOLE_PROGRAM_SECONDS``; below
    zero: none, every call opaque from the start); gives a list whose item tells, once the block
    is left, whether that time ran out while it was needed."""
    previous = imports._STAGE[:]
    imports._STAGE[:] = [seconds, False]
    cut = [False]
    try:
        yield cut
    finally:
        cut[0] = imports._STAGE[1]
        imports._STAGE[:] = previous


def _cut_note(seconds: float, bound: str) -> str:
    return (
        f"its whole-program analysis stopped after {seconds:.3g} s of CPU time ({bound}): "
        "findings that need other files or the calls between its functions may be missing"
    )


def _fallback_note(full: float, seconds: float) -> str:
    return (
        f"linted function by function: its full analysis took longer than {full:.3g} s of CPU time "
        f"(a share of --file-timeout {seconds:g} s); findings that need other files or the calls "
        "between its functions may be missing"
    )


def add_note(path: str, note: str) -> None:
    _NOTES.append((path, note))


def add_notes(notes) -> None:
    """Notes a worker process sent back."""
    _NOTES.extend(notes)


def taken_notes() -> List[Tuple[str, str]]:
    """The notes of the files linted since the last call, in no particular order (and forgotten here)."""
    notes = sorted(_NOTES)
    _NOTES.clear()
    return notes
