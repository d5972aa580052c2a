"""Jupyter notebooks: lint the code cells as one program, report by cell."""

from __future__ import annotations

import json
import re
from typing import List, Tuple

#: IPython syntax that is not Python: line magics, shell escapes, help (``x?``).
_IPYTHON_LINE = re.compile(r"^(\s*)(%|!|\?)|^\s*[\w.]+\?\??\s*$")


class NotebookError(ValueError):
    pass


def notebook_source(data: bytes) -> Tuple[str, List[Tuple[int, int]]]:
    """The code cells joined into one source, and for each of its lines (cell number, line in cell).

    IPython-only lines become ``pass`` at the same indentation, and cells run by a
    cell magic (``%%bash``) become comments, so line numbers never shift.
    """
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookError(f"not a valid notebook (JSON): {exc}")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no 'cells' list")
    lines: List[str] = []
    origin: List[Tuple[int, int]] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise NotebookError(f"cell {number}: source is not text")
        cell_lines = source.splitlines() or [""]
        cell_magic = cell_lines[0].lstrip().startswith("%%")
        for index, line in enumerate(cell_lines, 1):
            if cell_magic:
                line = "# " + line
            else:
                match = _IPYTHON_LINE.match(line)
                if match:
                    indent = match.group(1) or re.match(r"\s*", line).group(0)
                    line = f"{indent}pass"
            lines.append(line)
            origin.append((number, index))
    return "\n".join(lines) + "\n", origin
