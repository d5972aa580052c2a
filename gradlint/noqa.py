"""``--add-noqa``: mark every current finding so a codebase can adopt gradlint."""

from __future__ import annotations

import ast
import io
import os
import re
import tempfile
import tokenize
from collections import defaultdict
from typing import Dict, List, Set

from .engine import ENGINE_CODES, decode
from .rule import Finding

_NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z][0-9A-Z]*(?:[,\s]+[A-Z][0-9A-Z]*)*)", re.IGNORECASE)


def write_atomically(path: str, data: bytes) -> None:
    """Replace a file's content without ever leaving it half written."""
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".gradlint-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def add_noqa(findings: List[Finding]) -> int:
    """Append ``# noqa: CODES`` to each flagged line; returns how many lines changed."""
    by_file: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        # a notebook cell's line is not a line of the .ipynb file: never write a comment into its JSON
        if finding.code not in ENGINE_CODES and finding.path != "-" and not finding.cell:
            by_file[finding.path][finding.line].add(finding.code)
    changed = 0
    for path, lines_codes in sorted(by_file.items()):
        with open(path, "rb") as handle:
            data = handle.read()
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        text = decode(data)
        lines = text.splitlines(keepends=True)
        edited = 0
        for number, codes in lines_codes.items():
            line = lines[number - 1]
            body = line.rstrip("\r\n")
            ending = line[len(body):]
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
            candidate[number - 1] = body + ending
            try:
                ast.parse("".join(candidate))
            except SyntaxError:
                continue  # the line ends inside a string: a comment there would change the code
            lines = candidate
            edited += 1
        if edited:
            write_atomically(path, "".join(lines).encode(encoding))
            changed += edited
    return changed
