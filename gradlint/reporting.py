"""Output formats: text (flake8), json, sarif (GitHub code scanning), github (annotations)."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Callable, Dict, List

from . import __version__
from .engine import ENGINE_CODES
from .rule import Finding
from .rules import ALL_RULES, BY_CODE

HOMEPAGE = "https://github.com/gradlint/gradlint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def help_uri(code: str) -> str:
    return f"{HOMEPAGE}/blob/main/docs/rules/{code}.md"


def format_text(findings: List[Finding]) -> str:
    """flake8-compatible: ``path:line:col: CODE message``."""
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)


def format_json(findings: List[Finding]) -> str:
    return json.dumps([dict(f.as_dict(), help_uri=help_uri(f.code)) for f in findings], indent=2) + "\n"


def format_statistics(findings: List[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        name = BY_CODE[code].name if code in BY_CODE else ENGINE_CODES.get(code, ("", ""))[0]
        lines.append(f"{count:>5}  {code}  {name}\n")
    return "".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: List[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
        properties = (
            f"file={_escape_property(f.path)},line={f.line},col={f.column},"
            f"endLine={f.end_line or f.line},endColumn={f.end_column or f.column},"
            f"title={_escape_property(f'{f.code} {f.name}')}"
        )
        lines.append(f"::{level} {properties}::{_escape_data(f'{f.code} {f.message}')}\n")
    return "".join(lines)


def _rule_descriptor(code: str, name: str, severity: str, summary: str) -> dict:
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": f"{summary}. See {help_uri(code)}", "markdown": f"{summary}. [Documentation]({help_uri(code)})"},
        "helpUri": help_uri(code),
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {"tags": ["pytorch", "autograd"]},
    }


def format_sarif(findings: List[Finding]) -> str:
    descriptors = [_rule_descriptor(r.code, r.name, r.severity, r.summary) for r in ALL_RULES]
    descriptors += [_rule_descriptor(code, name, "error", summary) for code, (name, summary) in ENGINE_CODES.items()]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    results = []
    for f in findings:
        region = {"startLine": f.line, "startColumn": f.column}
        if f.end_line:
            region.update(endLine=f.end_line, endColumn=max(f.end_column, 1))
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.path)},
                            "region": region,
                        }
                    }
                ],
            }
        )
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
    return json.dumps(log, indent=2) + "\n"


def _uri(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return relative.replace(os.sep, "/")


FORMATTERS: Dict[str, Callable[[List[Finding]], str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}
