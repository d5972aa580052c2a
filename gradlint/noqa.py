"""``--add-noqa``: mark every current finding so a codebase can adopt gradlint."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections import defaultdict
from typing import Dict, List, Optional, Set, Tuple

from .engine import ENGINE_CODES, decode
from .rule import Finding
from .writeback import Change

_NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z][0-9A-Z]*(?:[,\s]+[A-Z][0-9A-Z]*)*)", re.IGNORECASE)


def noqa_text(text: str, lines_codes: Dict[int, Set[str]]) -> Tuple[str, int]:
    """``text`` with ``# noqa: CODES`` on each given line, and how many lines changed.

    An edit that would change the program (a line that ends inside a string: the
    "comment" would be part of the string) changes the syntax tree, and is dropped.
    """
    lines = _LINES.split(text)
    try:
        tree = ast.dump(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text, 0
    edited = 0
    for number, codes in sorted(lines_codes.items()):
        index = 2 * (number - 1)  # lines alternate with their line breaks
        if not 0 <= index < len(lines):
            continue
        body = lines[index]
        match = _NOQA_CODES.search(body)
        if match:
            existing = [c for c in re.split(r"[,\s]+", match.group("codes")) if c]
            merged = ", ".join(sorted(set(existing) | codes))
            body = body[: match.start("codes")] + merged + body[match.end("codes"):]
        elif re.search(r"#\s*noqa\b", body, re.IGNORECASE):
            continue  # a bare noqa already covers everything
        else:
            body = f"{body}  # noqa: {', '.join(sorted(codes))}"
        candidate = lines[:]
        candidate[index] = body
        try:
            same = ast.dump(ast.parse("".join(candidate))) == tree
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            same = False
        if same:
            lines = candidate
            edited += 1
    return "".join(lines), edited


#: Python's line breaks, kept: split() alternates lines and their breaks
_LINES = re.compile(r"(\r\n|\r|\n)")


#: (cell, line) of a finding: the cell is 0 outside a notebook
Where = Tuple[int, int]


def noqa_codes(findings: List[Finding]) -> Dict[str, Dict[Where, Set[str]]]:
    """For each file, the codes to mark on each (cell, line)."""
    by_file: Dict[str, Dict[Where, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.code not in ENGINE_CODES:
            by_file[finding.path][(finding.cell, finding.line)].add(finding.code)
    return by_file


def noqa_bytes(data: bytes, path: str, codes: Dict[Where, Set[str]]) -> Tuple[bytes, int]:
    """The file's new content with its noqa comments, and how many lines changed (0: left as it was)."""
    try:
        if path.endswith(".ipynb"):
            return _noqa_notebook(data, codes)
        text = decode(data)
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        new_text, edited = noqa_text(text, {line: marked for (_, line), marked in codes.items()})
        return (new_text.encode(encoding), edited) if edited else (data, 0)
    except (SyntaxError, ValueError, LookupError, RecursionError, MemoryError):
        return data, 0  # undecodable, or a notebook that is not one: nothing to mark


def _noqa_notebook(data: bytes, codes: Dict[Where, Set[str]]) -> Tuple[bytes, int]:
    """Mark the lines of the cells; the rest of the JSON stays byte for byte as it was.

    The cells are marked as the one program they are linted as, so the syntax tree check
    sees them together. A line timed by ``%time`` gets its comment after the statement; a
    line IPython syntax stands in for (``!ls``, ``x = %env HOME``) is left alone.
    """
    from .notebook import notebook_source
    from .notebook_fix import cell_lines, write_cells

    notebook = json.loads(data.decode("utf-8"))
    text, origin = notebook_source(data)
    joined = text.split("\n")
    stored = {where.cell: cell_lines(notebook, where.cell) for where in origin}

    def as_stored(where, old: str, new: str) -> Optional[str]:
        """Line ``new`` (``old`` edited) of the joined program as its cell would store it, or
        None when the cell's line is not ``old`` as written."""
        cell_line = stored[where.cell][where.line - 1]
        cut, magic = where.shift_after, cell_line[where.shift_after : where.shift_after + where.shift]
        if cell_line != old[:cut] + magic + old[cut:]:
            return None
        return new[:cut] + magic + new[cut:]

    lines_codes = {}
    for number, where in enumerate(origin, 1):
        marked = codes.get(tuple(where))
        if marked and as_stored(where, joined[number - 1], joined[number - 1]) is not None:
            lines_codes[number] = marked
    new_text, edited = noqa_text(text, lines_codes)
    cells: Dict[int, List[str]] = {}
    for number, line in enumerate(new_text.split("\n")[: len(origin)], 1):
        if line != joined[number - 1]:
            where = origin[number - 1]
            cells.setdefault(where.cell, list(stored[where.cell]))[where.line - 1] = as_stored(where, joined[number - 1], line)
    new_data = write_cells(data, notebook, cells) if edited else None
    return (new_data, edited) if new_data is not None else (data, 0)


def plan_noqa(findings: List[Finding]) -> List[Change]:
    """The new content of every file that gets a noqa comment (nothing is written here)."""
    changes = []
    for path, codes in sorted(noqa_codes(findings).items()):
        if path == "-":
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        new_data, edited = noqa_bytes(data, path, codes)
        if edited:
            changes.append(Change(path, data, new_data, edited))
    return changes
