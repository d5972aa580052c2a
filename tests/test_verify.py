import shutil

import pytest
from click.testing import CliRunner

from gradlint import cli
from gradlint.rules import ALL_RULES, BY_CODE
from gradlint.verify import check_runtime, check_static, fixtures_root, verify

pytest.importorskip("torch")


def test_every_rule_in_the_catalog_verifies():
    reports = verify()
    assert [r.code for r in reports] == [rule.code for rule in ALL_RULES]
    failures = {r.code: r.static_problems + r.runtime_problems for r in reports if not r.ok}
    assert failures == {}


@pytest.fixture
def fixture_copy(tmp_path):
    folder = tmp_path / "GRD201"
    shutil.copytree(fixtures_root() / "GRD201", folder)
    return folder


def test_verifier_catches_a_wrong_runtime_declaration(fixture_copy):
    bad = fixture_copy / "bad.py"
    bad.write_text(bad.read_text().replace("# runtime: raises RuntimeError: a leaf", "# runtime: raises ValueError: a leaf"))
    problems = check_runtime(fixture_copy)
    assert len(problems) == 1 and "should raise ValueError" in problems[0]


def test_verifier_catches_a_good_fixture_that_fails(fixture_copy):
    good = fixture_copy / "good.py"
    good.write_text(good.read_text() + "\nimport warnings\nwarnings.warn('leftover')\n")
    problems = check_runtime(fixture_copy)
    assert problems == ["good.py warned UserWarning: leftover"]


def test_verifier_catches_static_disagreement(fixture_copy):
    bad = fixture_copy / "bad.py"
    lines = bad.read_text().splitlines()
    flagged = [i for i, line in enumerate(lines) if "# expect: GRD201" in line]
    lines[flagged[0]] = lines[flagged[0]].split("  # expect:")[0]
    lines.append("print('done')  # expect: GRD201")
    bad.write_text("\n".join(lines) + "\n")
    problems = check_static(BY_CODE["GRD201"], fixture_copy)
    assert problems == [
        f"bad.py:{len(lines)}: expected GRD201, not reported",
        f"bad.py:{flagged[0] + 1}: GRD201 reported, not expected",
    ]


def test_verify_without_torch_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr("gradlint.verify.torch_available", lambda: False)
    result = CliRunner().invoke(cli.main, ["verify"])
    assert result.exit_code == 2
    assert "pip install 'torch-gradlint[verify]'" in result.output
