"""GRD100 unused-noqa: a `# noqa: GRDxxx` that suppresses nothing, and its safe fix; the pages
of GRD001, GRD002 and GRD100."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES, BY_CODE
from gradlint.verify import check_static, fixtures_root, verify

ROOT = Path(__file__).resolve().parent.parent
LEAF = "import torch\nw = torch.zeros(3, requires_grad=True)\n"


def unused(source, rules=ALL_RULES):
    return [(f.line, f.message.split("`")[1]) for f in lint_text(textwrap.dedent(source), "x.py", rules) if f.code == "GRD100"]


def gradlint(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_reports_codes_that_suppress_nothing():
    source = LEAF + (
        "w += 1  # noqa: GRD201\n"  # used
        "x = 1  # noqa: GRD201\n"  # unused
        "y = 2  # keep  # noqa: E501, GRD301\n"  # E501 is another tool's business
        "# noqa: GRD3\n"  # a comment line never has a finding
        "z = 3  # noqa\n"  # bare: left alone
        "v = 4  # noqa: GRD999\n"  # names no rule: left alone
    )
    assert unused(source) == [(4, "# noqa: GRD201"), (5, "# noqa: E501, GRD301"), (6, "# noqa: GRD3")]


def test_a_prefix_is_used_when_any_rule_it_names_reports():
    assert unused(LEAF + "w += 1  # noqa: GRD2\n") == []
    assert unused(LEAF + "w += 1  # noqa: GRD2, GRD5\n") == [(3, "# noqa: GRD2, GRD5")]


def test_codes_of_rules_that_did_not_run_are_not_judged():
    only = [BY_CODE["GRD100"], BY_CODE["GRD301"]]
    assert unused(LEAF + "x = 1  # noqa: GRD201, GRD301\n", only) == [(3, "# noqa: GRD201, GRD301")]
    message = [f.message for f in lint_text(LEAF + "x = 1  # noqa: GRD201, GRD301\n", "x.py", only)][0]
    assert "GRD301 suppresses nothing" in message and "GRD201" not in message.split(":", 2)[-1]
    assert unused(LEAF + "x = 1  # noqa: GRD201\n", [BY_CODE["GRD100"]]) == []


def test_noqa_grd100_silences_it():
    assert unused(LEAF + "x = 1  # noqa: GRD100, GRD201\n") == []


def test_off_by_default_and_selectable(tmp_path):
    (tmp_path / "a.py").write_text(LEAF + "x = 1  # noqa: GRD201\n")
    assert gradlint("check", "--no-cache", "a.py", cwd=tmp_path).returncode == 0
    result = gradlint("check", "--no-cache", "--extend-select", "GRD100", "a.py", cwd=tmp_path)
    assert result.returncode == 1 and "a.py:3:8: GRD100 `# noqa: GRD201`: GRD201 suppresses nothing" in result.stdout


def test_fix_removes_only_the_unused_codes(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(
        LEAF
        + "w += 1  # noqa: GRD201\n"
        + "x = 1  # noqa: GRD201\n"
        + "y = 2  # keep  # noqa: E501, GRD301\n"
        + "if True:\n    # noqa: GRD3\n    z = 3  # noqa: GRD201  # why\n"
    )
    result = gradlint("check", "--no-cache", "--select", "GRD", "--fix", "a.py", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert path.read_text() == LEAF + (
        "w += 1  # noqa: GRD201\n" "x = 1\n" "y = 2  # keep  # noqa: E501\n" "if True:\n    z = 3  # why\n"
    )
    again = gradlint("check", "--no-cache", "--select", "GRD", "--fix", "a.py", cwd=tmp_path)
    assert again.returncode == 0 and "fixed 0" in again.stderr


def test_fixtures_verify_statically_and_claim_no_runtime_evidence():
    rule = BY_CODE["GRD100"]
    assert rule.runtime_evidence is False
    assert check_static(rule, fixtures_root() / "GRD100") == []
    [report] = verify(["GRD100"])
    assert report.ok and report.runtime_checked is False
    assert all(r.runtime_evidence for r in ALL_RULES if r.code != "GRD100")


def test_verify_refuses_a_runtime_claim_from_a_rule_without_evidence(tmp_path):
    import shutil

    folder = tmp_path / "GRD100"
    shutil.copytree(fixtures_root() / "GRD100", folder)
    bad = folder / "bad.py"
    bad.write_text("# runtime: raises RuntimeError: nothing\n" + bad.read_text())
    from gradlint.verify import _no_runtime_claim

    assert _no_runtime_claim(folder) == ["bad.py declares '# runtime:' but this rule has no runtime evidence to check"]


@pytest.mark.parametrize(
    "code,needles",
    [
        ("GRD001", ["# GRD001 input-error", "syntax error", "--ignore GRD001"]),
        ("GRD002", ["# GRD002 internal-error", "report it"]),
        ("GRD100", ["# GRD100 unused-noqa", "RUF100", "does not run them"]),
    ],
)
def test_rule_pages(code, needles, tmp_path):
    result = gradlint("rule", code.lower(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for needle in needles:
        assert needle in result.stdout
    assert (ROOT / "docs" / "rules" / f"{code}.md").is_file()
