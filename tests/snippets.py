"""Lint source snippets in tests."""

import re
import textwrap

import pytest

from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES, BY_CODE


def findings(source: str, *codes: str):
    """(line, code) pairs reported for ``source`` by the given rules (default: all)."""
    rules = [BY_CODE[c] for c in codes] if codes else list(ALL_RULES)
    return [(f.line, f.code) for f in lint_text(textwrap.dedent(source), "snippet.py", rules)]


def codes(source: str, *only: str):
    return [code for _, code in findings(source, *only)]


def _marked(src: str, code: str):
    return tuple(i for i, line in enumerate(src.splitlines(), 1) if re.search(r"#\s*expect:\s*" + code, line))


def case_maker(code: str):
    """``case(case_id, src, lines=(), xfail=None)`` for one rule's snippet tables.

    Every snippet is a complete program; the lines a positive must report carry a
    ``# expect: CODE`` marker and are also listed in ``lines``: the two must agree.
    A strict xfail documents a known miss or false alarm with its diagnosis.
    """

    def case(case_id, src, lines=(), xfail=None):
        src = textwrap.dedent(src)
        marked = _marked(src, code)
        assert tuple(lines) == marked, f"{case_id}: expected lines {lines} != markers {marked}"
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        return pytest.param(src, tuple(lines), id=case_id, marks=marks)

    return case


def rule_tests(code: str, positives, negatives):
    """The two parametrized tests of a rule: it fires exactly on the positives, never on the negatives."""

    @pytest.mark.parametrize("src,lines", positives)
    def test_fires(src, lines):
        assert findings(src, code) == [(line, code) for line in lines]

    @pytest.mark.parametrize("src,lines", negatives)
    def test_silent(src, lines):
        assert findings(src, code) == []

    return test_fires, test_silent


def write_project(root, files):
    """Write dedented sources into ``root`` (file name -> text): a small project of several files."""
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))


def lint_path(path, select=None):
    """(line, code) pairs for the file at ``path``, linted with the project around it."""
    from gradlint.engine import lint_bytes

    rules = [rule for rule in ALL_RULES if (rule.code in select if select else rule.default_enabled())]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]
