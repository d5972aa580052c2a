"""A fix as a text edit, for the JSON and SARIF reports: the range it replaces and the new text."""

from __future__ import annotations

from typing import Tuple

import libcst as cst

from .statement_edits import fixed_text

#: start line, start column, end line, end column (1-based; the end is exclusive), new text
Edit = Tuple[int, int, int, int, str]


def fix_edits(module: cst.Module, text: str, fix, positions=None) -> Tuple[Edit, ...]:
    """The smallest edit that turns ``text`` into what ``--fix`` writes for this one fix.

    Computed from the fixed source itself, so it is exactly what the fixer does (the
    indentation of a wrapped block included). A fix within one line is computed from the
    replaced node alone (the same edit, without generating the whole module again for
    every finding of a file), and one across lines from the statement that holds it
    (``statement_edits``).
    """
    if fix is None:
        return ()
    local = _one_line_edit(module, text, fix, positions) if positions is not None else None
    if local is not None:
        return local
    fixed = fixed_text(module, text, fix, positions) if positions is not None else None
    if fixed is not None:
        new_text, same_start, same_end = fixed
    else:
        from .fixer import _Replace  # the fixer's own node replacement

        try:
            new_text = module.visit(_Replace(fix.old, fix.new)).code
        except Exception:  # a fix the tree refuses (libcst validation): report it without edits
            return ()
        same_start = same_end = 0
    if new_text == text:
        return ()
    # the characters known to be unchanged are skipped: the same edit, found in the statement
    start = same_start
    limit = min(len(text), len(new_text))
    while start < limit and text[start] == new_text[start]:
        start += 1
    end = min(same_end, max(limit - start, 0))
    while end < limit - start and text[len(text) - 1 - end] == new_text[len(new_text) - 1 - end]:
        end += 1
    stop = len(text) - end
    if "\n" in text[start:stop] or "\n" in new_text[start : len(new_text) - end]:
        # a change across lines reads best as whole lines replaced
        start = text.rfind("\n", 0, start) + 1
        if stop > 0 and text[stop - 1] != "\n":
            newline = text.find("\n", stop)
            stop = len(text) if newline < 0 else newline + 1
    return (_position(text, start) + _position(text, stop) + (new_text[start : len(new_text) - (len(text) - stop)],),)


def _one_line_edit(module: cst.Module, text: str, fix, positions):
    """The edit of a fix whose old and new code both fit on the old node's line, or None."""
    if fix.new is None:
        return None
    where = positions.get(fix.old)
    if where is None or where.start.line != where.end.line:
        return None
    try:
        old_code, new_code = module.code_for_node(fix.old), module.code_for_node(fix.new)
    except Exception:
        return None
    line = text.splitlines(keepends=True)[where.start.line - 1] if where.start.line <= text.count("\n") + 1 else ""
    begin, stop = where.start.column, where.end.column
    if "\n" in new_code or "\n" in old_code or line[begin:stop] != old_code:
        return None
    start = 0
    limit = min(len(old_code), len(new_code))
    while start < limit and old_code[start] == new_code[start]:
        start += 1
    end = 0
    while end < limit - start and old_code[len(old_code) - 1 - end] == new_code[len(new_code) - 1 - end]:
        end += 1
    if start == len(old_code) == len(new_code):
        return ()
    row = where.start.line
    return ((row, begin + start + 1, row, stop - end + 1, new_code[start : len(new_code) - end]),)


def _position(text: str, offset: int) -> Tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def apply_edits(text: str, edits) -> str:
    """The text with non-overlapping edits applied (what a consumer of the report would do)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1 if line <= len(starts) else len(text)

    for start_line, start_column, end_line, end_column, new in sorted(edits, reverse=True):
        text = text[: offset(start_line, start_column)] + new + text[offset(end_line, end_column) :]
    return text
