"""Bounds that keep one pathological file from costing more than itself.

libcst's native parser overflows its stack (the process dies, SIGSEGV) on deeply
nested code, and its tree is walked recursively, so nesting is measured before
the text reaches it. Time is bounded separately (see ``time_budget``).
"""

from __future__ import annotations

import ast
import contextlib
import re
import signal
import sys
import threading
from typing import Iterator, Optional

#: Deepest nesting analysed, in syntax-tree levels (a call's argument counts two:
#: libcst's tree has a level for the argument). Ordinary code stays below 60.
MAX_DEPTH = 1000

#: Brackets nested deeper than this are refused before parsing: CPython's own
#: limit is 200, and libcst crashes well beyond it.
MAX_BRACKETS = 200

#: Recursion allowed while walking a tree at most MAX_DEPTH deep.
_RECURSION_LIMIT = 12 * MAX_DEPTH

_TWO_LEVELS = (ast.Call, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.keyword)


def nesting_depth(tree: ast.AST) -> int:
    """How deep the tree is, counted as libcst nests it (iterative: the tree may be deep)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _TWO_LEVELS):
            depth += 1
        elif isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1  # libcst nests `a and b and c` pairwise
        if depth > deepest:
            deepest = depth
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


_LINE_END = re.compile(r"\r\n|\r|\n")
#: a subtree is at most this many levels deeper than its source has characters, plus _DEPTH_SLACK
#: (one level per character at worst: ``-x``, ``f(``, ``[``; a name's load context adds one)
_LEVELS_PER_CHAR = 2
_DEPTH_SLACK = 10


def nesting_beyond(tree: ast.AST, text: str, limit: int = MAX_DEPTH) -> int:
    """``nesting_depth(tree)`` when it exceeds ``limit``, else 0, walking far less of the tree:
    a subtree whose source is too short to reach ``limit`` is skipped.

    Positions inside an f-string are not trusted (CPython before 3.12 may misplace them).
    """
    ends = [match.end() for match in _LINE_END.finditer(text)] + [len(text)]
    deepest = 0
    stack = [(tree, 1, False)]
    while stack:
        node, depth, in_fstring = stack.pop()
        if isinstance(node, _TWO_LEVELS):
            depth += 1
        elif isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        if depth > deepest:
            deepest = depth
        in_fstring = in_fstring or isinstance(node, ast.JoinedStr)
        for child in ast.iter_child_nodes(node):
            if not in_fstring and depth + 1 + _DEPTH_SLACK + _LEVELS_PER_CHAR * _source_length(child, ends) <= limit:
                continue
            stack.append((child, depth + 1, in_fstring))
    return deepest if deepest > limit else 0


def _source_length(node: ast.AST, ends: list) -> float:
    """An upper bound on the characters of a node's source: its whole lines (decorators included)."""
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if not isinstance(first, int) or not isinstance(last, int):
        return float("inf")
    for decorator in getattr(node, "decorator_list", ()):
        first = min(first, getattr(decorator, "lineno", 0))
    if not 1 <= first <= last <= len(ends):
        return float("inf")
    return ends[last - 1] - (ends[first - 2] if first > 1 else 0)


_SCAN = re.compile(r"""#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[(\[{]|[)\]}]""", re.DOTALL)


def bracket_depth(text: str) -> int:
    """The deepest bracket nesting outside strings and comments (an estimate for text CPython rejects)."""
    depth = deepest = 0
    for match in _SCAN.finditer(text):
        token = match.group()
        if token in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")]}":
            depth = max(0, depth - 1)
    return deepest


@contextlib.contextmanager
def recursion_room() -> Iterator[None]:
    """Room to walk a tree MAX_DEPTH deep (Python frames live on the heap; the C stack is not at risk)."""
    old = sys.getrecursionlimit()
    if old < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


#: A file blocked in a sleep or a read uses no CPU time: it is stopped once this many
#: times its CPU budget has passed on the clock, however loaded the machine is.
WALL_FACTOR = 5


def wall_backstop(cpu_seconds: float) -> float:
    """Wall-clock seconds after which a file given ``cpu_seconds`` of CPU time is stopped regardless."""
    return WALL_FACTOR * cpu_seconds


def timeout_message(seconds: float) -> str:
    """The GRD001 message of a file that used up its CPU budget (``--file-timeout``)."""
    return f"not linted: took longer than {seconds:g} s of CPU time (--file-timeout)"


def wall_message(seconds: float) -> str:
    """The GRD001 message of a file stopped by the wall-clock backstop."""
    return (
        f"not linted: not done after {wall_backstop(seconds):g} s on the clock (--file-timeout {seconds:g} s "
        "of CPU time; the file blocked, or the machine gave it no CPU)"
    )


class OutOfTime(BaseException):
    """Raised into the work when a file's time budget runs out.

    A BaseException, so that no ``except Exception`` around a rule swallows it.
    ``on_the_clock`` tells the wall-clock backstop from the CPU budget.
    """

    def __init__(self, on_the_clock: bool = False):
        super().__init__()
        self.on_the_clock = on_the_clock


@contextlib.contextmanager
def time_budget(seconds: Optional[float], wall_seconds: Optional[float] = None) -> Iterator[None]:
    """Raise OutOfTime in this thread once the process has used ``seconds`` of CPU time, or
    once ``wall_seconds`` (default ``wall_backstop(seconds)``) have passed on the clock (Unix
    main thread only; elsewhere unbounded). A stage of a file's budget passes the clock time
    left to the whole file (``staged_budget``).

    CPU time, not wall time: on a loaded machine a file must not fail for waiting its turn.
    """
    if not (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()):
        yield
        return
    # a timer someone else set (a profiler, an alarm) is left alone
    timers = [
        (timer, signum, limit)
        for timer, signum, limit in (
            (signal.ITIMER_PROF, signal.SIGPROF, seconds),
            (signal.ITIMER_REAL, signal.SIGALRM, wall_seconds if wall_seconds is not None else wall_backstop(seconds)),
        )
        if signal.getitimer(timer)[0] == 0
    ]

    def expire(signum, frame):
        raise OutOfTime(on_the_clock=signum == signal.SIGALRM)

    previous = [(timer, signum, signal.signal(signum, expire)) for timer, signum, _ in timers]
    for timer, _, limit in timers:
        signal.setitimer(timer, max(limit, 1e-3))  # (0 would switch the timer off)
    try:
        yield
    finally:
        for timer, signum, handler in previous:
            signal.setitimer(timer, 0)
            signal.signal(signum, handler)
