"""Lint source snippets in tests."""

import textwrap

from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES, BY_CODE


def findings(source: str, *codes: str):
    """(line, code) pairs reported for ``source`` by the given rules (default: all)."""
    rules = [BY_CODE[c] for c in codes] if codes else list(ALL_RULES)
    return [(f.line, f.code) for f in lint_text(textwrap.dedent(source), "snippet.py", rules)]


def codes(source: str, *only: str):
    return [code for _, code in findings(source, *only)]
