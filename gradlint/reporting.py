"""Output formats: text (flake8), json, sarif (GitHub code scanning), github (annotations)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from collections import Counter
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from . import __version__
from .engine import ENGINE_CODES
from .rule import Finding
from .rules import ALL_RULES, BY_CODE

HOMEPAGE = "https://github.com/gradlint/gradlint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def help_uri(code: str) -> str:
    return f"{HOMEPAGE}/blob/main/docs/rules/{code}.md"


_CODE_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}


def format_text(findings: List[Finding], color: bool = False) -> str:
    """flake8-compatible: ``path:line:col: CODE message`` (with ``color``, ANSI-styled for a terminal)."""
    if not color:
        return "".join(f"{f.location}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)
    import click

    return "".join(
        f"{click.style(f.location, bold=True)}{click.style(':', fg='cyan')}{f.line}{click.style(':', fg='cyan')}"
        f"{f.column}{click.style(':', fg='cyan')} {click.style(f.code, fg=_CODE_COLOR.get(f.severity, 'red'), bold=True)} "
        f"{f.message}\n"
        for f in findings
    )


def use_color(choice: str, stream, environ) -> bool:
    """``--color``: always, never, or auto (a terminal, and no NO_COLOR set: https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return not environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def format_json(findings: List[Finding]) -> str:
    return json.dumps([dict(f.as_dict(), help_uri=help_uri(f.code)) for f in findings], indent=2) + "\n"


def format_statistics(findings: List[Finding], as_json: bool = False) -> str:
    """Findings per rule, most frequent first: a table, or (``as_json``) a list of objects."""
    counts = Counter(f.code for f in findings)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        name = BY_CODE[code].name if code in BY_CODE else ENGINE_CODES.get(code, ("", ""))[0]
        fixable = sum(1 for f in findings if f.code == code and f.fix)
        rows.append({"code": code, "name": name, "count": count, "fixable": fixable, "help_uri": help_uri(code)})
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    return "".join(f"{row['count']:>5}  {row['code']}  {row['name']}\n" for row in rows)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


Region = Tuple[int, int, int, int]


class StoredPositions:
    """Where findings sit in their files as stored: a notebook cell's line is a line of the .ipynb's JSON.

    Annotations and code scanning attach to the file itself, so a finding in a cell is placed
    on the JSON line that holds that line of the cell's source.
    """

    def __init__(self) -> None:
        self._cells: Dict[str, Dict[int, List[Tuple[int, int]]]] = {}

    def region(self, f: Finding) -> Region:
        end_line, end_column = f.end_line or f.line, f.end_column or f.column
        if not f.cell:
            return f.line, f.column, end_line, end_column
        starts = self._starts(f.path).get(f.cell, [])
        start, end = _in_json(starts, f.line, f.column), _in_json(starts, end_line, end_column)
        if start is None:  # the notebook could not be read again (stdin): the cell's own numbers
            return f.line, f.column, end_line, end_column
        if end is None or end < start:
            end = start
        return (*start, *end)

    def _starts(self, path: str) -> Dict[int, List[Tuple[int, int]]]:
        if path not in self._cells:
            from .notebook import NotebookError, file_positions

            try:
                with open(path, "rb") as handle:
                    self._cells[path] = file_positions(handle.read())
            except (OSError, ValueError, NotebookError):
                self._cells[path] = {}
        return self._cells[path]


def _in_json(starts: List[Tuple[int, int]], line: int, column: int) -> Optional[Tuple[int, int]]:
    if not 1 <= line <= len(starts):
        return None
    json_line, json_column = starts[line - 1]
    return json_line, json_column + column - 1


def _cell_prefix(f: Finding) -> str:
    return f"cell {f.cell}, line {f.line}: " if f.cell else ""


def format_github(findings: List[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, attached to the file as stored."""
    lines = []
    stored = StoredPositions()
    for f in findings:
        level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
        line, column, end_line, end_column = stored.region(f)
        properties = (
            f"file={_escape_property(f.path)},line={line},col={column},"
            f"endLine={end_line},endColumn={end_column},"
            f"title={_escape_property(f'{f.code} {f.name}')}"
        )
        lines.append(f"::{level} {properties}::{_escape_data(f'{f.code} {_cell_prefix(f)}{f.message}')}\n")
    return "".join(lines)


def _rule_descriptor(code: str, name: str, severity: str, summary: str) -> dict:
    from .docs import render_page

    page = render_page(code)  # what `gradlint rule CODE` prints: code scanning shows it with the alert
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": page, "markdown": page},
        "helpUri": help_uri(code),
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {"tags": ["pytorch", "autograd"]},
    }


def format_sarif(findings: List[Finding]) -> str:
    descriptors = [_rule_descriptor(r.code, r.name, r.severity, r.summary) for r in ALL_RULES]
    descriptors += [_rule_descriptor(code, name, "error", summary) for code, (name, summary) in ENGINE_CODES.items()]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    results = []
    stored = StoredPositions()
    root = _repository_root()
    for f in findings:
        line, column, end_line, end_column = stored.region(f)
        region = {"startLine": line, "startColumn": column}
        if f.end_line:
            region.update(endLine=end_line, endColumn=max(end_column, 1))
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL.get(f.severity, "warning"),
            "message": {"text": _cell_prefix(f) + f.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.path, root), "region": region}}],
        }
        if f.cell:
            # the region is in the .ipynb's JSON; where the finding is in the notebook's own terms
            result["properties"] = {"cell": f.cell, "cellLine": f.line, "cellColumn": f.column}
        elif f.edits:
            result["fixes"] = [_sarif_fix(f, _artifact(f.path, root))]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gradlint",
                        "version": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    if root is not None:
        log["runs"][0]["originalUriBaseIds"] = {_SRCROOT: {"uri": root.as_uri() + "/"}}
    return json.dumps(log, indent=2) + "\n"


_SRCROOT = "SRCROOT"


def _repository_root() -> Optional[Path]:
    """The git repository around the working directory: code scanning wants paths relative to it."""
    here = Path.cwd().resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _artifact(path: str, root: Optional[Path]) -> dict:
    absolute = Path(os.path.abspath(path))
    if root is not None and path != "-":
        try:
            return {"uri": _encoded(absolute.relative_to(root).as_posix()), "uriBaseId": _SRCROOT}
        except ValueError:  # outside the repository
            return {"uri": absolute.as_uri()}
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return {"uri": _encoded(relative.replace(os.sep, "/"))}


def _encoded(relative: str) -> str:
    """A relative URI reference: spaces, '#', '%' and non-ASCII names are percent-encoded (as UTF-8)."""
    return quote(os.fsencode(relative).decode("latin-1"), safe="/", encoding="latin-1")


def _sarif_fix(f: Finding, artifact: dict) -> dict:
    return {
        "description": {"text": f"{f.fix} fix: gradlint check --fix{' --unsafe-fixes' if f.fix == 'unsafe' else ''}"},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": start_line,
                            "startColumn": start_column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        },
                        "insertedContent": {"text": content},
                    }
                    for start_line, start_column, end_line, end_column, content in f.edits
                ],
            }
        ],
    }


FORMAT_HELP = (
    "text: path:line:col: CODE message, as flake8 prints; "
    "json: a list of findings with position, cell, rule, severity, fix and rule URL; "
    "sarif: SARIF 2.1.0 for GitHub code scanning; "
    "github: GitHub Actions annotations on the pull request."
)

FORMATTERS: Dict[str, Callable[[List[Finding]], str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}
