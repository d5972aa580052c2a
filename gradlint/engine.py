"""Lint one file: decode, skip what no rule can fire on, parse, analyse, locate, suppress."""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import tokenize
from dataclasses import replace
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Type

import libcst as cst

from .analysis import Analyzer
from .analysis.parsed import cpython_depth, keep_tree, kept_tree, parse
from .analysis.callers import caller_texts
from .analysis.module_digests import dependencies
from .analysis.project import MAX_LOADED_BYTES, TORCH_TEXT
from .cache import libcst_version
from .edits import fix_edits
from .limits import MAX_BRACKETS, MAX_DEPTH, bracket_depth, recursion_room
from .newer_syntax import uses_newer_syntax
from .positions import Positions
from .rule import Finding, Rule
from .rules.grd100_unused_noqa import UnusedNoqa, unused_noqa

INPUT_ERROR = "GRD001"
INTERNAL_ERROR = "GRD002"
ENGINE_CODES = {
    INPUT_ERROR: ("input-error", "the file could not be read or parsed"),
    INTERNAL_ERROR: ("internal-error", "gradlint crashed on this file; please report it"),
}

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][0-9A-Z]*(?:[,\s]+[A-Z][0-9A-Z]*)*))?", re.IGNORECASE)


def _error(path: str, code: str, message: str, line: int = 1, column: int = 1) -> Finding:
    name, _ = ENGINE_CODES[code]
    return Finding(path, line, column, code, message, line, column, name, "error")


def source_encoding(data: bytes) -> str:
    """The encoding Python reads source bytes with (BOM, PEP 263 cookie, default UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" in str(exc):
            data.decode("utf-8")  # raises the precise UnicodeDecodeError
        if "unknown encoding" in str(exc):
            # a codec registered when the program runs (`# -*- coding: future_fstrings -*-`)
            # rewrites the source on import; the source itself is UTF-8
            return "utf-8"
        raise
    return encoding


def decode(data: bytes) -> str:
    """Decode source bytes as Python does (see ``source_encoding``)."""
    return data.decode(source_encoding(data))


def lint_bytes(data: bytes, path: str, rule_classes: Sequence[Type[Rule]]) -> List[Finding]:
    if path.endswith(".ipynb"):
        return lint_notebook(data, path, rule_classes)
    if b"\x00" in data:
        return [_error(path, INPUT_ERROR, "binary file (contains NUL bytes), not Python source")]
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [_error(path, INPUT_ERROR, f"cannot decode as {exc.encoding}: invalid byte at offset {exc.start}", line)]
    except (SyntaxError, LookupError) as exc:
        return [_error(path, INPUT_ERROR, f"bad source encoding: {_encoding_problem(data, exc)}")]
    from .notebook import drop_shown_in_exported_cells

    return drop_shown_in_exported_cells(text, lint_text(text, path, rule_classes), rule_classes)


def _encoding_problem(data: bytes, exc: Exception) -> str:
    if data.startswith(codecs.BOM_UTF8) and "encoding problem" in str(exc):
        # tokenize says only "encoding problem: utf-8"
        return "the file starts with a UTF-8 byte-order mark but its coding cookie names another encoding"
    return getattr(exc, "msg", None) or str(exc)


def lint_notebook(data: bytes, path: str, rule_classes: Sequence[Type[Rule]]) -> List[Finding]:
    """Code cells are linted as one program; each finding keeps the notebook's path and names its cell."""
    from .notebook import NotebookError, notebook_program, shown_value_filter

    try:
        text, origin, broken = notebook_program(data)
    except NotebookError as exc:
        return [_error(path, INPUT_ERROR, str(exc))]
    # a cell with a syntax error fails alone when run: the other cells are linted without it
    located = [
        replace(
            _error(path, INPUT_ERROR, f"syntax error: {cell.message} (this cell is not linted; the others are)"),
            cell=cell.cell,
            line=cell.line,
            column=cell.column,
            end_line=cell.line,
            end_column=cell.column,
        )
        for cell in broken
    ]
    shown = shown_value_filter(text, origin, rule_classes)
    for finding in lint_text(text, path, rule_classes):
        if shown(finding):
            continue  # a cell's last expression: the notebook displays its value
        if 1 <= finding.line <= len(origin):
            start = origin[finding.line - 1]
            end = origin[finding.end_line - 1] if 1 <= finding.end_line <= len(origin) else start
            if end.cell != start.cell:
                end = start
            finding = replace(
                finding,
                cell=start.cell,
                line=start.line,
                column=start.column(finding.column),
                end_line=end.line,
                end_column=end.column(finding.end_column),
                edits=_cell_edits(finding.edits, origin, start.cell),
            )
        located.append(finding)
    return located


def _cell_edits(edits, origin, cell: int) -> tuple:
    """A fix's edits in the cell's own lines; none when the fix reaches outside that cell."""
    located = []
    for start_line, start_column, end_line, end_column, content in edits:
        if not (1 <= start_line <= len(origin) and 1 <= end_line <= len(origin)):
            return ()
        start, end = origin[start_line - 1], origin[end_line - 1]
        if start.cell != cell or end.cell != cell:
            return ()
        located.append((start.line, start.column(start_column), end.line, end.column(end_column), content))
    return tuple(located)


def rules_for(text: str, rule_classes: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    """The rules that could fire on this source: no other file is parsed with libcst."""
    # the rules' ``requires`` groups share strings: each is looked for in the text once
    found: Dict[str, bool] = {}

    def holds(needed: str) -> bool:
        present = found.get(needed)
        if present is None:
            present = found[needed] = needed in text
        return present

    return [
        rule
        for rule in rule_classes
        if (all(any(holds(s) for s in group) for group in rule.requires) if _default_precheck(rule) else rule.may_fire(text))
    ]


def rules_for_joined(text: str, modules: List[str], callers: List[str], rule_classes) -> List[Type[Rule]]:
    """``rules_for`` of ``text``, ``modules`` and ``callers`` joined by newlines, without joining them.

    A string of a ``requires`` group without a newline is in the joined text exactly when it is
    in one of the texts; the imported modules' texts are the same for every file importing them
    (``module_digests``), so what each holds is kept. A rule with its own precheck reads the
    joined text (see ``Rule.may_fire``)."""
    found: Dict[str, bool] = {}
    joined: List[str] = []

    def whole() -> str:
        if not joined:
            joined.append("\n".join([text] + modules + callers))
        return joined[0]

    def holds(needed: str) -> bool:
        present = found.get(needed)
        if present is None:
            if "\n" in needed:
                present = needed in whole()
            else:
                present = (
                    needed in text
                    or any(_module_holds(source, needed) for source in modules)
                    or any(needed in source for source in callers)
                )
            found[needed] = present
        return present

    return [
        rule
        for rule in rule_classes
        if (all(any(holds(s) for s in group) for group in rule.requires) if _default_precheck(rule) else rule.may_fire(whole()))
    ]


#: id of an imported module's text -> (the text, {string: whether the text holds it})
_HELD: Dict[int, Tuple[str, Dict[str, bool]]] = {}


def _module_holds(source: str, needed: str) -> bool:
    entry = _HELD.get(id(source))
    if entry is None or entry[0] is not source:
        if len(_HELD) > 512:
            _HELD.clear()
        entry = _HELD[id(source)] = (source, {})
    present = entry[1].get(needed)
    if present is None:
        present = entry[1][needed] = needed in source
    return present


def _default_precheck(rule: Type[Rule]) -> bool:
    """Whether the rule's ``may_fire`` is ``Rule``'s own (a test of its ``requires`` groups)."""
    return getattr(rule.may_fire, "__func__", None) is Rule.may_fire.__func__


_FILE_NOQA = re.compile(
    r"^[ \t]*#[ \t]*gradlint:[ \t]*noqa(?:[ \t]*:[ \t]*(?P<codes>[A-Z][0-9A-Z]*(?:[ \t,]+[A-Z][0-9A-Z]*)*))?[ \t,]*$",
    re.IGNORECASE | re.MULTILINE,
)


def file_noqa(text: str) -> Optional[List[str]]:
    """A file's ``# gradlint: noqa`` lines: None if it has none, [] for a bare one (skip the file), else the codes."""
    if "noqa" not in text:
        return None
    codes: Optional[List[str]] = None
    for match in _FILE_NOQA.finditer(text):
        if not match.group("codes"):
            return []
        codes = (codes or []) + [c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c]
    return codes


def lint_text(
    text: str,
    path: str,
    rule_classes: Sequence[Type[Rule]],
    noqa: bool = True,
    fix_sink: Optional[list] = None,
) -> List[Finding]:
    """Lint one source; with ``noqa=False``, lines' ``# noqa`` comments are left to the caller (flake8).

    With ``fix_sink``, also collects (finding, fix, range of the fixed node, module) for --fix.
    """
    skipped = file_noqa(text)
    if skipped == []:
        return []
    if skipped:
        rule_classes = [rule for rule in rule_classes if not any(rule.code.startswith(code) for code in skipped)]
    active = rules_for(text, rule_classes)
    if len(active) < len(rule_classes) and os.path.isfile(path):
        # what a rule needs may come from a module of the project this file imports, or from a file
        # whose calls give this one's functions their arguments (a leaf made in main.py, rebound
        # by `w = w - lr * w.grad` in training.py)
        modules = [source for _, source in dependencies(path, text)]
        callers = caller_texts(path, text)
        if len(modules) + len(callers) > 1 or any(modules) or any(callers):
            # a rule that may fire on the file alone may on more text: ask only the others
            more = rules_for_joined(text, modules, callers, [rule for rule in rule_classes if rule not in active])
            active = [rule for rule in rule_classes if rule in active or rule in more]
    module = kept_tree(path, text)
    if module is not None:  # parsed already, for a file that imports this one
        compiled, rejection, refusal = True, None, None
    else:
        compiled, rejection, refusal = _check_with_cpython(text, path)
        if not compiled and rejection is not None and refusal is None:
            renamed = _async_keywords_renamed(text)
            checked = _check_with_cpython(renamed, path) if renamed is not None else (False, None, None)
            if checked[0] and checked[2] is None:
                # code of Python < 3.7 naming a keyword argument `async` (torch < 0.4's
                # `x.cuda(async=True)`): analysed as `Async=`, lines and columns unchanged; no fix
                # is written into the file
                text, fix_sink = renamed, None
                compiled, rejection, refusal = checked
    if refusal is not None:
        return [refusal]
    if not active and compiled:
        return []
    with recursion_room():
        try:
            if module is None:
                module = parse(text, compiled=compiled, aside=True)
                if compiled and _importable(path, text):
                    keep_tree(path, text, module)
        except cst.ParserSyntaxError as exc:
            expanded = _tabs_expanded(text) if compiled else None
            module = _parse_or_none(expanded) if expanded is not None else None
            if module is None:
                return [_syntax_error(path, exc, rejection)]
            # lines keep their numbers; the columns of tab-indented lines are those of the spaces,
            # and no fix is written into the file (it would replace its tabs)
            text, fix_sink = expanded, None
        except (RecursionError, MemoryError) as exc:
            return [_error(path, INPUT_ERROR, f"cannot parse: {type(exc).__name__}")]
        except Exception as exc:  # libcst raises a few other types on odd input
            return [_error(path, INPUT_ERROR, f"cannot parse: {type(exc).__name__}: {exc}".splitlines()[0])]
        if rejection is not None and not uses_newer_syntax(module):
            return [_cpython_error(path, rejection)]  # e.g. Python 2's `except E, e:`, which libcst accepts
        if not active:
            return []
        try:
            return analyse(module, text, path, active, rule_classes, noqa, fix_sink)
        except RecursionError:
            return [_error(path, INTERNAL_ERROR, "analysis aborted: the code is nested too deeply")]


def _importable(path: str, text: str) -> bool:
    """Whether another file of the run may load this one as an import (then its tree is kept)."""
    return len(text) <= MAX_LOADED_BYTES and any(marker in text for marker in TORCH_TEXT) and os.path.isfile(path)


def _check_with_cpython(text: str, path: str):
    """(whether CPython compiled it, its SyntaxError, a GRD001 finding when the text must not reach libcst)."""
    try:
        depth = cpython_depth(text)
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or bracket_depth(text) > MAX_BRACKETS:
            return False, exc, _cpython_error(path, exc)
        return False, exc, None  # libcst may know syntax newer than this Python: it decides
    except (RecursionError, MemoryError):
        return False, None, _error(path, INPUT_ERROR, f"nested too deeply to analyse (limit: {MAX_DEPTH} levels)")
    except ValueError as exc:
        return False, None, _error(path, INPUT_ERROR, f"cannot parse: {exc}")
    if depth > MAX_DEPTH:
        return True, None, _error(path, INPUT_ERROR, f"nested {depth} levels deep: gradlint analyses up to {MAX_DEPTH}")
    return True, None, None


_ASYNC_KEYWORD = re.compile(r"(?<![\w.])async(?=[ \t]*=(?!=))")


def _async_keywords_renamed(text: str) -> Optional[str]:
    """``text`` with each ``async=`` (a keyword argument or parameter named ``async``, valid before
    Python 3.7 made it a keyword) spelt ``Async=``, of the same length; None when there is none."""
    renamed = _ASYNC_KEYWORD.sub("Async", text)
    return renamed if renamed != text else None


def _tabs_expanded(text: str) -> Optional[str]:
    """``text`` with the tabs of each line's indentation expanded as CPython's tokenizer reads them
    (to the next multiple of 8): libcst rejects some mixes of tabs and spaces that CPython accepts.
    None when no indentation holds a tab."""
    lines = text.splitlines(keepends=True)
    changed = False
    for i, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            lines[i] = indent.expandtabs(8) + line[len(indent) :]
            changed = True
    return "".join(lines) if changed else None


def _parse_or_none(text: str) -> Optional[cst.Module]:
    try:
        return parse(text, aside=True)
    except cst.ParserSyntaxError:
        return None


def _compiles(text: str) -> bool:
    """Whether CPython accepts the text."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _cpython_error(path: str, error: SyntaxError) -> Finding:
    return _error(path, INPUT_ERROR, f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1)


def _syntax_error(path: str, exc: cst.ParserSyntaxError, rejection: Optional[SyntaxError]) -> Finding:
    # CPython locates syntax errors better than libcst does; use it when it agrees
    if rejection is not None:
        return _cpython_error(path, rejection)
    message = str(exc.message).splitlines()[0] if exc.message else "invalid syntax"
    return _error(
        path,
        INPUT_ERROR,
        f"valid Python, but not supported by the parser (libcst {libcst_version()}): {message}",
        exc.raw_line or 1,
        (exc.raw_column or 0) + 1,
    )


def collect(
    module: cst.Module,
    rule_classes: Iterable[Type[Rule]],
    path: str = "",
    text: str = "",
    selected: Optional[Sequence[Type[Rule]]] = None,
) -> Tuple[List[tuple], List[str]]:
    """Run the analysis with the rules: (rule, node, message, fix) reports, and crash messages.

    With the ``path`` of a file on disk, the analysis also reads the modules of its
    project that it imports (see ``analysis.project``). ``selected`` are the rules the
    run asked for (``rule_classes`` may be fewer: those that could fire on the file).
    """
    rule_classes = list(rule_classes)
    raw: List[tuple] = []
    crashes: list = []
    rules = [cls() for cls in rule_classes]
    analyzer = Analyzer(
        rules,
        lambda rule, node, msg, fix: raw.append((rule, node, msg, fix)),
        path=path if path and os.path.isfile(path) else None,
        crashes=crashes,  # a crash disables the rule for this file and becomes GRD002
    )
    errors: List[str] = []
    try:
        analyzer.run(module, text)
    except RecursionError:
        errors.append("analysis aborted: the code is nested too deeply")
    except Exception as exc:
        errors.append(f"analysis crashed: {type(exc).__name__}: {exc}".splitlines()[0])
    for code, exc in crashes:
        errors.append(f"rule {code} crashed: {type(exc).__name__}: {exc}".splitlines()[0])
    if UnusedNoqa in rule_classes and not any(e.startswith("analysis") for e in errors):
        crashed = {code for code, _ in crashes}
        ran = [rule for rule in (selected or rule_classes) if rule.code not in crashed]
        raw.extend(unused_noqa(module, raw, ran))
    return raw, errors


def analyse(
    module: cst.Module,
    text: str,
    path: str,
    rule_classes: Iterable[Type[Rule]],
    selected: Optional[Sequence[Type[Rule]]] = None,
    noqa: bool = True,
    fix_sink: Optional[list] = None,
) -> List[Finding]:
    raw, errors = collect(module, rule_classes, path, text, selected)
    findings = [_error(path, INTERNAL_ERROR, message) for message in errors]
    if raw:
        findings.extend(_locate(module, text, path, raw, noqa, fix_sink))
    findings.sort()
    return findings


def _locate(
    module: cst.Module, text: str, path: str, raw, noqa: bool = True, fix_sink: Optional[list] = None
) -> List[Finding]:
    """Positions are computed only for files that have findings: it costs a code generation pass."""
    positions = Positions(module)
    lines = source_lines(text)
    seen = set()
    findings = []
    for rule, node, message, fix in raw:
        where = positions.get(node)
        if where is None:
            continue
        key = (rule.code, where.start.line, where.start.column)
        if key in seen:
            continue
        seen.add(key)
        line_text = lines[where.start.line - 1] if where.start.line <= len(lines) else ""
        if noqa and is_suppressed(line_text, rule.code):
            continue
        finding = Finding(
            path,
            where.start.line,
            where.start.column + 1,
            rule.code,
            message,
            where.end.line,
            where.end.column + 1,
            rule.name,
            rule.severity,
            "" if fix is None else ("safe" if fix.safe else "unsafe"),
            edits=fix_edits(module, text, fix, positions),
        )
        findings.append(finding)
        if fix_sink is not None and fix is not None:
            fix_sink.append((finding, fix, positions.get(fix.old), module))
    return findings


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> List[str]:
    """The lines as Python numbers them: only \\n, \\r\\n and \\r end a line (not \\f or U+2028)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def is_suppressed(line: str, code: str) -> bool:
    if "#" not in line:
        return False
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes.strip()) if c)
