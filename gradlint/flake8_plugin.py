"""gradlint as a flake8 plugin: ``flake8 --select GRD`` reports what ``gradlint check`` does.

Registered under the ``flake8.extension`` entry point ``GRD``. This module imports
nothing from flake8, so flake8 stays an optional dependency.

The checker runs gradlint's default rules (errors and warnings; info rules off),
exactly the set ``gradlint check`` runs without ``--select``. flake8 applies its own
``--select``/``--ignore``/``# noqa`` on top; gradlint's own ``# noqa`` handling has
already run inside :func:`gradlint.engine.lint_text`.

A file with a syntax error never reaches the checker: flake8 reports it as E999 itself.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Sequence, Tuple, Type

from . import __version__
from .engine import lint_text
from .rule import Finding, Rule
from .selection import select_rules

_DEFAULT_RULES: Optional[Tuple[Type[Rule], ...]] = None


def _default_rules() -> Tuple[Type[Rule], ...]:
    global _DEFAULT_RULES
    if _DEFAULT_RULES is None:
        _DEFAULT_RULES = tuple(select_rules([], []))
    return _DEFAULT_RULES


class GradlintChecker:
    """A flake8 AST plugin; it asks for ``lines`` so it lints the exact source text."""

    name = "gradlint"
    version = __version__

    def __init__(self, tree: object, filename: str, lines: Sequence[str]) -> None:
        # ``tree`` is unused (gradlint parses with libcst), but requesting it makes this
        # a tree plugin: flake8 only runs those on files it could parse.
        self.tree = tree
        self.filename = filename
        self.lines: List[str] = list(lines)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        text = "".join(self.lines)
        findings = lint_text(text, self.filename, _default_rules())
        if findings:
            findings = _without_baselined(findings, self.filename, text)
        for finding in findings:
            # flake8 wants a 0-based column offset and prints offset + 1
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)


def _without_baselined(findings: List[Finding], filename: str, text: str) -> List[Finding]:
    """``baseline = "..."`` in the nearest [tool.gradlint] applies under flake8 too."""
    from .baseline import baseline_for

    try:
        baseline = baseline_for(filename)
    except ValueError as exc:  # a broken config or baseline: say so where flake8 reports
        return [Finding(filename, 1, 1, "GRD001", f"cannot apply the baseline: {exc}")]
    if baseline is None:
        return findings
    return baseline.filter(findings, lambda _: text.splitlines())
