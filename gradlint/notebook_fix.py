"""``--fix`` on a notebook: fix the code cells as one program, then put each changed
line back into its cell; the rest of the JSON stays byte for byte as it was."""

from __future__ import annotations

import difflib
import json
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type

from .engine import lint_bytes
from .fixer import fix_source
from .notebook import NotebookError, notebook_source, shown_value_filter
from .rule import Finding, Rule


def fix_notebook(
    data: bytes, path: str, rules: Sequence[Type[Rule]], unsafe: bool, wanted: Callable[[Finding], bool]
) -> Tuple[bytes, int, List[Finding], str]:
    """(new notebook, fixes applied, findings after, a note when it was not fixed)."""
    try:
        notebook = json.loads(data.decode("utf-8"))
        text, origin = notebook_source(data)
    except (ValueError, RecursionError, NotebookError):
        return data, 0, lint_bytes(data, path, rules), ""
    shown = shown_value_filter(text, origin, rules)
    result = fix_source(text, path, rules, unsafe, lambda finding: wanted(finding) and not shown(finding))
    if not result.applied:
        return data, 0, lint_bytes(data, path, rules), result.note
    cells = _cells_back(notebook, text, result.text, origin)
    new_data = write_cells(data, notebook, cells) if cells is not None else None
    if new_data is None:
        note = "not fixed: the fixes cannot be put back into the notebook without reformatting it"
        return data, 0, lint_bytes(data, path, rules), note
    return new_data, result.applied, lint_bytes(new_data, path, rules), ""


def write_cells(data: bytes, notebook: dict, cells: Dict[int, List[str]]) -> Optional[bytes]:
    """The notebook with each given cell's source replaced by its lines, in the JSON layout of
    ``data`` (None when that layout cannot be reproduced)."""
    dump = _serializer(data, notebook)
    if dump is None:
        return None
    for number, lines in cells.items():
        cell = notebook["cells"][number - 1]
        source = cell.get("source", "")
        joined = "".join(source) if isinstance(source, list) else source
        text = "\n".join(lines) + ("\n" if joined.endswith("\n") else "")
        cell["source"] = text.splitlines(keepends=True) if isinstance(source, list) else text
    return dump(notebook)


def cell_lines(notebook: dict, number: int) -> List[str]:
    source = notebook["cells"][number - 1].get("source", "")
    return ("".join(source) if isinstance(source, list) else source).splitlines() or [""]


def _cells_back(notebook: dict, old: str, new: str, origin) -> Optional[dict]:
    """Each changed cell's new lines, or None when an edit cannot be attributed to one cell."""
    origin = [tuple(where) for where in origin]  # (cell, line in cell)
    old_lines, new_lines = old.split("\n")[:-1], new.split("\n")[:-1]
    cells = {number: cell_lines(notebook, number) for number, _ in origin}
    edits = []  # (cell, first line index, end index, new lines), in cell coordinates
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            touched = {origin[i][0] for i in range(i1, i2)}
            if len(touched) != 1:
                return None
            if any(cells[origin[i][0]][origin[i][1] - 1] != old_lines[i] for i in range(i1, i2)):
                return None  # an IPython line stands in as `pass`: leave it to the user
            cell, first = origin[i1][0], origin[i1][1] - 1
            edits.append((cell, first, first + (i2 - i1), new_lines[j1:j2]))
        elif i1 > 0:
            cell, after = origin[i1 - 1]
            edits.append((cell, after, after, new_lines[j1:j2]))
        else:
            edits.append((origin[0][0], 0, 0, new_lines[j1:j2]))
    changed = {}
    for cell, first, end, lines in sorted(edits, reverse=True):
        target = changed.setdefault(cell, list(cells[cell]))
        target[first:end] = lines
    return changed


def _serializer(data: bytes, notebook: dict):
    """The json.dumps settings that reproduce the file exactly, or None."""
    for indent in (1, 2, 4, None):
        for ascii_only in (False, True):
            for ending in ("\n", ""):

                def dump(value, indent=indent, ascii_only=ascii_only, ending=ending) -> bytes:
                    return (json.dumps(value, indent=indent, ensure_ascii=ascii_only) + ending).encode("utf-8")

                if dump(notebook) == data:
                    return dump
    return None
