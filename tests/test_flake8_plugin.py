"""The flake8 plugin: ``flake8 --select GRD`` reports exactly what ``gradlint check`` does."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flake8")

from gradlint import __version__  # noqa: E402
from gradlint.flake8_plugin import GradlintChecker  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"

CLEAN = "import torch\nw = torch.zeros(3, requires_grad=True)\nwith torch.no_grad():\n    w += 1\n"


def _env():
    env = dict(os.environ)
    # the checkout's gradlint, whatever is installed; the entry point only names the module
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def flake8(*args, cwd):
    # --isolated: no user or project flake8 config changes what is reported
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args], capture_output=True, text=True, cwd=cwd, env=_env()
    )


def gradlint(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd, env=_env()
    )


@pytest.fixture(scope="module", autouse=True)
def plugin_registered():
    version = flake8("--version", cwd=ROOT)
    if "gradlint" not in version.stdout:
        pytest.fail(
            "flake8 does not list the gradlint plugin: install the package (pip install -e .) so its "
            f"flake8.extension entry point is registered.\nflake8 --version: {version.stdout}{version.stderr}"
        )


def test_flake8_output_equals_gradlint_check(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(RULES / "GRD201" / "bad.py", src / "grd201_bad.py")
    shutil.copy(RULES / "GRD401" / "bad.py", src / "grd401_bad.py")
    (src / "clean.py").write_text(CLEAN)

    via_flake8 = flake8("--select", "GRD", "src", cwd=tmp_path)
    via_gradlint = gradlint("check", "src", cwd=tmp_path)

    flake8_lines = sorted(via_flake8.stdout.splitlines())
    gradlint_lines = sorted(via_gradlint.stdout.splitlines())
    assert flake8_lines == gradlint_lines, (via_flake8.stderr, via_gradlint.stderr)
    codes = {line.split(": ", 1)[1].split(" ", 1)[0] for line in gradlint_lines}
    assert codes == {"GRD201", "GRD401"}
    assert not any("clean.py" in line for line in gradlint_lines)
    assert via_flake8.returncode == 1, via_flake8.stderr
    assert via_gradlint.returncode == 1, via_gradlint.stderr


def test_flake8_clean_file_passes(tmp_path):
    (tmp_path / "clean.py").write_text(CLEAN)
    result = flake8("--select", "GRD", "clean.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_noqa_suppresses_under_flake8(tmp_path):
    (tmp_path / "noqa.py").write_text(
        "import torch\n"
        "w = torch.zeros(3, requires_grad=True)\n"
        "w += 1  # noqa: GRD201\n"
        "b = torch.zeros(3, requires_grad=True)\n"
        "b += 1  # noqa: E501\n"
        "c = torch.zeros(3, requires_grad=True)\n"
        "c += 1\n"
    )
    result = flake8("--select", "GRD", "noqa.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert [line.split(" ", 2)[:2] for line in result.stdout.splitlines()] == [
        ["noqa.py:5:1:", "GRD201"],
        ["noqa.py:7:1:", "GRD201"],
    ]

    (tmp_path / "all_suppressed.py").write_text(
        "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1  # noqa: GRD201\nw -= 1  # noqa\n"
    )
    result = flake8("--select", "GRD", "all_suppressed.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_checker_yields_flake8_tuples():
    lines = ["import torch\n", "w = torch.zeros(3, requires_grad=True)\n", "    \n", "if True:\n", "    w += 1\n"]
    checker = GradlintChecker(None, "x.py", lines)
    results = list(checker.run())
    assert len(results) == 1
    line, offset, text, kind = results[0]
    # gradlint's column 5 is flake8's 0-based offset 4 (flake8 prints offset + 1)
    assert (line, offset, kind) == (5, 4, GradlintChecker)
    assert text.startswith("GRD201 `w += 1` writes in place")
    assert GradlintChecker.name == "gradlint"
    assert GradlintChecker.version == __version__


def test_plugin_module_does_not_import_flake8():
    code = "import sys, gradlint.flake8_plugin; print('flake8' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=_env())
    assert result.stdout.strip() == "False", result.stderr


INFO = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"


def _codes(result):
    return [line.split(" ")[1] for line in result.stdout.splitlines()]


def test_select_reaches_the_info_rules(tmp_path):
    (tmp_path / "info.py").write_text(INFO)
    assert _codes(flake8("--select", "GRD506", "info.py", cwd=tmp_path)) == ["GRD506"]
    assert _codes(flake8("--select", "GRD", "info.py", cwd=tmp_path)) == ["GRD506", "GRD201"]
    # without naming them, info rules stay off, as with `gradlint check`
    assert _codes(flake8("info.py", cwd=tmp_path)) == ["GRD201"]
    assert _codes(flake8("--extend-select", "GRD506", "info.py", cwd=tmp_path)) == ["GRD506", "GRD201"]


def test_select_grd_equals_gradlint_select_grd(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for code in ("GRD204", "GRD304", "GRD506", "GRD201"):
        shutil.copy(RULES / code / "bad.py", src / f"{code.lower()}_bad.py")
    via_flake8 = flake8("--select", "GRD", "src", cwd=tmp_path)
    via_gradlint = gradlint("check", "--no-cache", "--select", "GRD", "src", cwd=tmp_path)
    assert sorted(via_flake8.stdout.splitlines()) == sorted(via_gradlint.stdout.splitlines())
    assert {"GRD204", "GRD304", "GRD506"} <= set(_codes(via_gradlint))


def test_noqa_is_left_to_flake8(tmp_path):
    (tmp_path / "noqa.py").write_text("import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1  # noqa: GRD201\n")
    assert flake8("--select", "GRD", "noqa.py", cwd=tmp_path).stdout == ""
    shown = flake8("--select", "GRD", "--disable-noqa", "noqa.py", cwd=tmp_path)
    assert _codes(shown) == ["GRD201"], shown.stderr
    # flake8's own per-file-ignores replace [tool.gradlint]'s
    ignored = flake8("--select", "GRD", "--disable-noqa", "--per-file-ignores", "noqa.py:GRD201", "noqa.py", cwd=tmp_path)
    assert ignored.stdout == ""


def test_registered_twice_reports_once():
    """An old `gradlint` install next to `torch-gradlint` registers the checker twice."""
    import ast

    lines = ["import torch\n", "w = torch.zeros(3, requires_grad=True)\n", "w += 1\n"]
    tree = ast.parse("".join(lines))
    first = list(GradlintChecker(tree, "x.py", lines).run())
    second = list(GradlintChecker(tree, "x.py", lines).run())
    assert len(first) == 1 and second == []
    # the next file is checked again
    assert len(list(GradlintChecker(ast.parse("".join(lines)), "y.py", lines).run())) == 1
