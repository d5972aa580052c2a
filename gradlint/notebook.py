"""Jupyter notebooks: lint the code cells as one program, report by cell."""

from __future__ import annotations

import ast
import bisect
import json
import json.decoder
import json.scanner
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

from .engine import _compiles  # the same cheap syntax check the engine uses

#: Cell magics whose body is Python run in the notebook's own namespace: those cells are linted.
#: Every other cell magic (``%%bash``, ``%%html``, ``%%writefile``, ...) makes the cell not Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

_CELL_MAGIC = re.compile(r"^\s*%%(?P<name>\w+)")
#: ``%time stmt`` / ``%timeit -n 10 expr``, optionally assigned (``res = %time f()``): the rest is Python.
_TIMED = re.compile(r"(?P<magic>%(?:time|timeit)(?:\s+-[a-z]+(?:\s*\d+)?)*\s+)(?=\S)")
#: ``target = %magic ...`` / ``target = !cmd``: an IPython value assigned to a Python target.
_ASSIGNED = re.compile(r"^(?P<target>\s*[\w.\[\]'\", ]+?\s*=\s*)(?P<value>[%!].*)$")
#: Lines that are IPython only: line magics, shell escapes, help (``?x``, ``x?``, ``x??``), and a
#: wildcard search of names (``torch.*Tensor?``).
_IPYTHON_LINE = re.compile(r"^(?P<indent>\s*)(?:[%!?]|[\w.*]+\?\??\s*$)")
#: A line magic called without its ``%`` (IPython's automagic, on by default): ``pip install x``.
_AUTOMAGIC = re.compile(r"^(?P<indent>\s*)(?:pip|conda|cd|ls|pwd|mkdir|load_ext|matplotlib|env|cat|rm|cp|mv)\s+\S")


class NotebookError(ValueError):
    pass


@dataclass(frozen=True)
class Origin:
    """Where a line of the joined program comes from: a line of a cell, and how its columns moved."""

    cell: int
    line: int
    #: columns after ``shift_after`` (1-based) sit ``shift`` further right in the cell
    shift_after: int = 0
    shift: int = 0

    def column(self, column: int) -> int:
        return column + self.shift if self.shift and column > self.shift_after else column

    def __iter__(self):
        """Unpacks as ``(cell, line)``, as callers that need no column read it."""
        return iter((self.cell, self.line))


def notebook_source(data: bytes) -> Tuple[str, List[Origin]]:
    """The code cells joined into one source, and for each of its lines the :class:`Origin`.

    In a cell that is not valid Python as written, IPython syntax is rewritten in place:
    ``%time``/``%timeit`` keep the statement they time, other magics and shell escapes
    assigned to a target become ``None``, and lines that are only IPython become ``pass``
    at the same indentation. Cells run by a non-Python cell magic become comments, and so do
    cells that are still not Python (see ``notebook_program``). Line numbers never shift.
    """
    text, origin, _ = notebook_program(data)
    return text, origin


@dataclass(frozen=True)
class BrokenCell:
    """A code cell Python rejects even with its IPython syntax rewritten: Jupyter runs the others."""

    cell: int
    line: int
    column: int
    message: str


def notebook_program(data: bytes) -> Tuple[str, List[Origin], List[BrokenCell]]:
    """``notebook_source``'s program and origins, and the cells left out of it as comments because
    they are not Python: a syntax error fails its own cell, not the notebook's other cells."""
    lines: List[str] = []
    origin: List[Origin] = []
    broken: List[BrokenCell] = []
    for number, source in _code_cells(_load(data)):
        cell_lines = source.splitlines() or [""]
        source_lines = list(cell_lines)
        magic = _CELL_MAGIC.match(cell_lines[0])
        if magic and magic.group("name") not in PYTHON_CELL_MAGICS:
            lines.extend(_commented(cell_lines))
            origin.extend(Origin(number, index) for index in range(1, len(cell_lines) + 1))
            continue
        if magic:
            cell_lines[0] = re.match(r"\s*", cell_lines[0]).group(0) + "pass"
        indent = ""
        if magic or not _compiles("\n".join(cell_lines)):
            cell_lines, indent = _leading_indent(cell_lines)
            rewritten = _python_lines(cell_lines)
        else:
            rewritten = [(line, 0, 0) for line in cell_lines]
        error = _rejection("\n".join(line for line, _, _ in rewritten))
        if error is not None:
            broken.append(BrokenCell(number, error.lineno or 1, error.offset or 1, error.msg))
            lines.extend(_commented(source_lines))
            origin.extend(Origin(number, index) for index in range(1, len(source_lines) + 1))
            continue
        for index, (line, after, shift) in enumerate(rewritten, 1):
            if indent and cell_lines[index - 1] is not source_lines[index - 1]:
                after, shift = 0, shift + len(indent)  # the line lost the cell's leading indentation
            lines.append(line)
            origin.append(Origin(number, index, after, shift))
    return "\n".join(lines) + "\n", origin, broken


def _commented(cell_lines: List[str]) -> List[str]:
    """A cell left out of the program, as comments: no NUL byte, which not even a comment may hold."""
    return ["# " + line.replace("\x00", "") for line in cell_lines]


def _rejection(cell_text: str):
    """Python's SyntaxError for the cell's text, or None when it compiles (top-level ``await``,
    which IPython runs, included)."""
    if _compiles(cell_text):
        return None
    try:
        compile(cell_text, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError) as exc:
        return SyntaxError(f"{type(exc).__name__}: {exc}"[:200])
    return None


def _load(data: bytes, decoder: json.JSONDecoder = None):
    try:
        notebook = (decoder or json.JSONDecoder()).decode(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, JSON nested too deeply, huge numbers
        raise NotebookError(f"not a valid notebook (JSON): {type(exc).__name__}: {exc}"[:300])
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no 'cells' list")
    return cells


def _code_cells(cells):
    """(cell number counting every cell from 1, source) of each code cell."""
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise NotebookError(f"cell {number}: source is not text")
        yield number, source


def _leading_indent(cell_lines: List[str]) -> Tuple[List[str], str]:
    """IPython removes the whitespace the cell's first line starts with from every line that starts
    with it (`` device = "cpu"`` on each line of a cell is valid): (the lines, what was removed)."""
    match = re.match(r"[ \t]+", cell_lines[0])
    if not match:
        return cell_lines, ""
    indent = match.group(0)
    return [line[len(indent):] if line.startswith(indent) else line for line in cell_lines], indent


def _python_lines(cell_lines: List[str]) -> List[Tuple[str, int, int]]:
    """The cell's lines with IPython syntax replaced; the backslash-continued lines of a shell escape
    or a magic (``out = !python demo.py \\`` then ``--flag x``) are part of it."""
    rewritten = []
    continued = None  # the indentation of the IPython line a trailing backslash continues
    scanner = _OpenBrackets()
    for line in cell_lines:
        if continued is not None:
            rewritten.append((continued + "pass", 0, 0))
        elif scanner.open:
            # inside brackets or a triple-quoted string: the rest of a Python statement, where IPython
            # sees no escape (`print('%d' \n  % n)`, a line that starts with `%(epoch, ...)`)
            rewritten.append((line, 0, 0))
            scanner.scan(line)
            continue
        else:
            rewritten.append(_python_line(line))
            scanner.scan(rewritten[-1][0])
            new, _, shift = rewritten[-1]
            if new == line or shift:  # Python as written, or the statement a `%time` times
                continue
            continued = re.match(r"\s*", line).group(0)
        if not line.rstrip().endswith("\\"):
            continued = None
    return rewritten


class _OpenBrackets:
    """Whether the lines scanned so far leave a bracket or a triple-quoted string open."""

    def __init__(self) -> None:
        self.depth, self.quote = 0, None

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.quote is not None

    def scan(self, line: str) -> None:
        i, end = 0, len(line)
        while i < end:
            if self.quote is not None:
                if line.startswith(self.quote, i):
                    i, self.quote = i + 3, None
                else:
                    i += 2 if line[i] == "\\" else 1
                continue
            char = line[i]
            if char == "#":
                return
            if char in "'\"":
                if line.startswith(char * 3, i):
                    i, self.quote = i + 3, char * 3
                    continue
                i += 1
                while i < end and line[i] != char:
                    i += 2 if line[i] == "\\" else 1
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            i += 1


def _python_line(line: str) -> Tuple[str, int, int]:
    """A line with its IPython syntax replaced: (line, column after which text moved, by how much)."""
    assigned = _ASSIGNED.match(line)
    head, rest = (assigned.group("target"), assigned.group("value")) if assigned else ("", line)
    stripped = rest.lstrip() if not head else rest
    indent = rest[: len(rest) - len(stripped)]
    timed = _TIMED.match(stripped)
    if timed:
        removed = len(timed.group("magic"))
        return head + indent + stripped[removed:], len(head) + len(indent), removed
    if head:
        return head + "None", 0, 0
    match = _IPYTHON_LINE.match(line)
    if match:
        return match.group("indent") + "pass", 0, 0
    match = _AUTOMAGIC.match(line)
    if match and not _compiles(line.strip()):
        return match.group("indent") + "pass", 0, 0
    return line, 0, 0


def shown_value_filter(text: str, origin: List[Origin], rule_classes) -> Callable[[object], bool]:
    """Whether a finding (in the joined program's lines) claims a value is thrown away where the
    notebook shows it: a rule with ``shown_value_is_used`` on a cell's displayed last expression."""
    codes = {rule.code for rule in rule_classes if getattr(rule, "shown_value_is_used", False)}
    displayed = None

    def silenced(finding) -> bool:
        nonlocal displayed
        if finding.code not in codes or not 1 <= finding.line <= len(origin):
            return False
        if displayed is None:
            displayed = displayed_lines(text, origin)
        return tuple(origin[finding.line - 1]) in displayed

    return silenced


#: a cell marker of a script exported from a notebook: `# %%` (jupytext's percent format, VS Code,
#: Kaggle's "# %% [code]") or nbconvert's `# In[3]:`
_EXPORTED_CELL = re.compile(r"^#\s?(?:%%|In\[[\s\d]*\]:)")


def exported_cells(text: str):
    """For a script exported from a notebook, each line's :class:`Origin` (cells counted from its
    markers, lines unchanged); ``None`` for a script without cell markers."""
    origin: List[Origin] = []
    cell = 0
    for number, line in enumerate(text.splitlines(), 1):
        if _EXPORTED_CELL.match(line):
            cell += 1
        origin.append(Origin(cell, number))
    return origin if cell else None


def drop_shown_in_exported_cells(text: str, findings: list, rule_classes) -> list:
    """Findings of a script exported from a notebook, without those claiming a cell's displayed
    last expression throws its value away (as :func:`shown_value_filter` does for an .ipynb)."""
    if not findings or "#" not in text:
        return findings
    origin = exported_cells(text)
    if origin is None:
        return findings
    shown = shown_value_filter(text, origin, rule_classes)
    return [finding for finding in findings if not shown(finding)]


def displayed_lines(text: str, origin: List[Origin]) -> frozenset:
    """(cell, line) where each cell's last statement starts when it is an expression: the notebook
    displays its value (``a.expand(3, 4)`` ending a cell shows the expanded tensor), unless a
    trailing ``;`` silences it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    last: Dict[int, ast.stmt] = {}
    for stmt in tree.body:
        if 1 <= stmt.lineno <= len(origin):
            last[origin[stmt.lineno - 1].cell] = stmt
    lines = text.splitlines()
    displayed = set()
    for cell, stmt in last.items():
        end = getattr(stmt, "end_lineno", stmt.lineno)
        if type(stmt) is ast.Expr and end <= len(lines) and not lines[end - 1].split("#", 1)[0].rstrip().endswith(";"):
            displayed.add(tuple(origin[stmt.lineno - 1]))
    return frozenset(displayed)


class _Located(str):
    """A decoded JSON string that remembers the offset of its opening quote in the document."""

    offset = 0


def _locating_decoder() -> json.JSONDecoder:
    decoder = json.JSONDecoder()

    def parse_string(text, end, strict):
        value, after = json.decoder.scanstring(text, end, strict)
        located = _Located(value)
        located.offset = end - 1
        return located, after

    decoder.parse_string = parse_string
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def file_positions(data: bytes) -> Dict[int, List[Tuple[int, int]]]:
    """For each code cell, the (line, column) in the ``.ipynb`` file where each of its source lines starts.

    Annotations and code scanning attach to the file as stored, which is JSON: a cell's
    line 3 is wherever the third line of its ``source`` sits in that text. A source line
    that shares a JSON string with the one before (a source stored as one string) maps
    to where that string starts.
    """
    text = data.decode("utf-8")
    newlines = [match.start() for match in re.finditer("\n", text)]
    positions: Dict[int, List[Tuple[int, int]]] = {}
    for number, cell in enumerate(_load(data, _locating_decoder()), 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        starts: List[Tuple[int, int]] = []
        line_starts_here = True
        for piece in source if isinstance(source, list) else [source]:
            if not isinstance(piece, _Located):
                continue
            where = _line_column(newlines, piece.offset + 1)
            for char in piece:
                if line_starts_here:
                    starts.append(where)
                line_starts_here = char == "\n"
        positions[number] = starts
    return positions


def _line_column(newlines: List[int], offset: int) -> Tuple[int, int]:
    line = bisect.bisect_left(newlines, offset)
    start = newlines[line - 1] + 1 if line else 0
    return line + 1, offset - start + 1
