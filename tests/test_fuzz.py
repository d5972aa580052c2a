"""Bounded fuzzing of the engine: programs generated from Python's grammar never make an
exception escape, never give GRD002, and --fix never breaks a program that parsed."""

import ast

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from gradlint.engine import lint_bytes, lint_text  # noqa: E402
from gradlint.fixer import fix_source  # noqa: E402
from gradlint.rules import ALL_RULES  # noqa: E402

FUZZ = settings(
    max_examples=15, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

#: torch names, so that the rules' text pre-checks let generated programs through to the analysis
PRELUDE = "import torch\nfrom torch import nn\nfrom torch.autograd import Variable\nw = torch.zeros(3, requires_grad=True)\n"


def check(program: str) -> None:
    findings = lint_text(program, "fuzz.py", ALL_RULES)
    assert not [f for f in findings if f.code == "GRD002"], (program, findings)
    try:
        ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    fixed = fix_source(program, "fuzz.py", ALL_RULES, unsafe=True)
    ast.parse(fixed.text)


@FUZZ
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source):
    check(source)
    check(PRELUDE + source)


@FUZZ
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source):
    check(PRELUDE + source)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_and_notebooks(data):
    for path in ("fuzz.py", "fuzz.ipynb"):
        findings = lint_bytes(data, path, ALL_RULES)
        assert not [f for f in findings if f.code == "GRD002"], (data, findings)
