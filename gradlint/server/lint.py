"""What the language server computes, free of any protocol: findings, fixes and edits.

Everything here runs on the same engine and settings as ``gradlint check``: the
nearest ``[tool.gradlint]`` above the document (selection, per-file ignores,
excludes, baseline) and the ``# noqa`` comments in the text.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..baseline import Baseline, baseline_for
from ..config import Config, find_config, load_config
from ..engine import ENGINE_CODES, collect, is_suppressed, lint_text
from ..rule import Finding, Rule
from ..selection import engine_code_enabled, select_rules


@dataclass
class Settings:
    rules: Tuple[Type[Rule], ...]
    config: Config
    baseline: Optional[Baseline]
    #: a problem with the configuration or the baseline, to log once
    problem: str = ""

    def keeps(self, finding: Finding, path: str) -> bool:
        if finding.code in ENGINE_CODES and not engine_code_enabled(finding.code, self.config.ignore):
            return False
        return not any(finding.code.startswith(p) for p in self.config.ignored_codes_for(path))


def settings_for(path: str) -> Settings:
    """The settings ``gradlint check`` would use for this file; defaults when the config is broken."""
    problem = ""
    try:
        found = find_config([path])
        config = load_config(found) if found is not None else Config()
    except ValueError as exc:
        config, problem = Config(), str(exc)
    baseline = None
    if not problem:
        try:
            baseline = baseline_for(path)
        except ValueError as exc:
            problem = str(exc)
    return Settings(tuple(select_rules(config.select, config.ignore, config.extend_select)), config, baseline, problem)


def lint_document(text: str, path: str, settings: Settings) -> List[Finding]:
    """The findings ``gradlint check`` reports for this text at this path."""
    if settings.config.is_excluded(path):
        return []
    findings = [f for f in lint_text(text, path, settings.rules) if settings.keeps(f, path)]
    if settings.baseline is not None and findings:
        lines = text.splitlines()
        findings = settings.baseline.filter(findings, lambda _: lines)
    return findings


def lint_cells(cells: Sequence[Tuple[str, str]], path: str, settings: Settings) -> Dict[str, List[Finding]]:
    """A notebook's code cells, (uri, text) in order, linted as ``gradlint check`` lints the notebook."""
    from ..engine import lint_notebook

    result: Dict[str, List[Finding]] = {uri: [] for uri, _ in cells}
    if settings.config.is_excluded(path):
        return result
    notebook = {"cells": [{"cell_type": "code", "source": text} for _, text in cells]}
    for finding in lint_notebook(json.dumps(notebook).encode("utf-8"), path, settings.rules):
        if 1 <= finding.cell <= len(cells) and settings.keeps(finding, path):
            result[cells[finding.cell - 1][0]].append(finding)
    return result


def fix_one(text: str, finding: Finding, rules: Sequence[Type[Rule]]) -> Optional[str]:
    """The text with only this finding's fix applied (None when it has none or it would not parse)."""
    try:
        module = cst.parse_module(text)
    except Exception:  # libcst raises several types on bad input
        return None
    raw, _ = collect(module, [r for r in rules if r.code == finding.code])
    if not raw:
        return None
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for _, node, _, fix in raw:
        where = positions.get(node)
        if fix is None or where is None:
            continue
        if (where.start.line, where.start.column + 1) == (finding.line, finding.column):
            new_text = module.deep_replace(fix.old, fix.new).code if fix.old is not module else fix.new.code
            try:
                ast.parse(new_text)
            except (SyntaxError, ValueError):
                return None
            return new_text
    return None


_NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z][0-9A-Z]*(?:[,\s]+[A-Z][0-9A-Z]*)*)", re.IGNORECASE)


def suppress(text: str, line: int, code: str) -> Optional[str]:
    """The text with ``# noqa: code`` on this line (merged into an existing noqa), or None.

    None when the line is already suppressed, or when a comment there would land inside a
    string and change the program (the syntax tree is compared before and after).
    """
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines) or is_suppressed(lines[line - 1], code):
        return None
    body = lines[line - 1].rstrip("\r\n")
    ending = lines[line - 1][len(body):]
    match = _NOQA_CODES.search(body)
    if match:
        codes = sorted({c for c in re.split(r"[,\s]+", match.group("codes")) if c} | {code})
        body = body[: match.start("codes")] + ", ".join(codes) + body[match.end("codes"):]
    else:
        body = f"{body}  # noqa: {code}"
    lines[line - 1] = body + ending
    new_text = "".join(lines)
    try:
        if ast.dump(ast.parse(new_text)) != ast.dump(ast.parse(text)):
            return None
    except (SyntaxError, ValueError):
        return None
    return new_text


def minimal_edit(old: str, new: str) -> Tuple[int, int, str]:
    """(start, end, replacement): replacing ``old[start:end]`` by ``replacement`` gives ``new``."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]


def offset_to_position(text: str, offset: int) -> Tuple[int, int]:
    """(line, character) of a string offset, both 0-based, the character in code points."""
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def path_of(uri: str) -> str:
    """The file path of a ``file:`` uri; other schemes (unsaved buffers) are linted under their uri."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return os.path.join(os.getcwd(), os.path.basename(parsed.path) or "untitled.py")
    return unquote(parsed.path)
