"""gradlint as a flake8 plugin: ``flake8 --select GRD`` reports what ``gradlint check`` does.

Registered under the ``flake8.extension`` entry point ``GRD``. This module imports
nothing from flake8, so flake8 stays an optional dependency.

The checker runs gradlint's default rules (errors and warnings), plus every rule that
flake8's ``--select`` or ``--extend-select`` names by code or prefix (``GRD``, ``GRD5``,
``GRD506``): so info rules are off unless asked for, as with ``gradlint check``. flake8
then applies its own selection, ``--per-file-ignores``, ``--exclude`` and ``# noqa``:
the checker reports noqa'd lines too, so ``flake8 --disable-noqa`` shows them.

From ``[tool.gradlint]`` only ``baseline`` applies (and a file's ``# gradlint: noqa``
lines); flake8's options take the place of the rest.

A file with a syntax error never reaches the checker: flake8 reports it as E999 itself.
"""

from __future__ import annotations

from typing import Iterator, List, Sequence, Tuple, Type

from . import __version__
from .engine import lint_text
from .rule import Finding, Rule
from .rules import ALL_RULES


def rules_for_selection(selected: Sequence[str]) -> Tuple[Type[Rule], ...]:
    """The default rules, and those a flake8 selection names by code or prefix."""
    prefixes = [code.strip().upper() for code in selected if code.strip()]
    return tuple(rule for rule in ALL_RULES if rule.default_enabled() or rule.code.startswith(tuple(prefixes)))


class GradlintChecker:
    """A flake8 AST plugin; it asks for ``lines`` so it lints the exact source text."""

    name = "gradlint"
    version = __version__
    #: set from flake8's options before any file is checked
    rules: Tuple[Type[Rule], ...] = rules_for_selection(())

    @classmethod
    def parse_options(cls, options) -> None:
        selected = list(getattr(options, "select", None) or []) + list(getattr(options, "extend_select", None) or [])
        cls.rules = rules_for_selection(selected)

    def __init__(self, tree: object, filename: str, lines: Sequence[str]) -> None:
        # ``tree`` is unused (gradlint parses with libcst), but requesting it makes this
        # a tree plugin: flake8 only runs those on files it could parse.
        self.tree = tree
        self.filename = filename
        self.lines: List[str] = list(lines)

    #: the tree of the file checked last (see :meth:`run`)
    _last_tree: object = None

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        # Two installed distributions can both register this checker (an older `gradlint`
        # install next to `torch-gradlint`): flake8 then runs it twice on each file, with the
        # same tree object. Report once.
        if self.tree is not None:
            if self.tree is GradlintChecker._last_tree:
                return
            GradlintChecker._last_tree = self.tree
        text = "".join(self.lines)
        findings = lint_text(text, self.filename, self.rules, noqa=False)
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
