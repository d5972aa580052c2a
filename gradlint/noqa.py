"""``--add-noqa``: mark every current finding so a codebase can adopt gradlint."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from typing import Dict, List, Set, Tuple

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


def noqa_codes(findings: List[Finding]) -> Dict[str, Dict[int, Set[str]]]:
    """For each file, the codes to mark on each line."""
    by_file: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        # a notebook cell's line is not a line of the .ipynb file: never write a comment into its JSON
        if finding.code not in ENGINE_CODES and not finding.cell:
            by_file[finding.path][finding.line].add(finding.code)
    return by_file


def plan_noqa(findings: List[Finding]) -> List[Change]:
    """The new content of every file that gets a noqa comment (nothing is written here)."""
    changes = []
    for path, lines_codes in sorted(noqa_codes(findings).items()):
        if path == "-":
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
            text = decode(data)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            continue
        new_text, edited = noqa_text(text, lines_codes)
        if edited:
            changes.append(Change(path, data, new_text.encode(encoding), edited))
    return changes
