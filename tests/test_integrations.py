"""Output formats, configuration, stdin, notebooks and adoption helpers, end to end."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\ny = w * 2\nprint(y.grad)\n"


def gradlint(*args, cwd=None, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        input=stdin,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_sarif_validates_against_the_official_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    (tmp_path / "bad.py").write_text(BAD)
    result = gradlint("check", "--format", "sarif", "bad.py", cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) >= {rule.code for rule in ALL_RULES}
    assert all(rule["helpUri"].startswith("https://") and rule["help"]["text"] for rule in rules.values())
    results = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert results == [("GRD201", "error", 3), ("GRD301", "error", 5)]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"


def test_github_annotations(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    result = gradlint("check", "--format", "github", "bad.py", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=bad.py,line=3,col=1,endLine=3,endColumn=7,title=GRD201 inplace-on-leaf::GRD201 ")
    assert len(lines) == 2


def test_statistics_and_output_file(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "b.py").write_text(BAD)
    result = gradlint("check", "--statistics", ".", cwd=tmp_path)
    assert result.stdout.splitlines() == ["    2  GRD201  inplace-on-leaf", "    2  GRD301  grad-of-non-leaf"]
    result = gradlint("check", "--format", "json", "--output-file", "report.json", ".", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report) == 4 and all(f["help_uri"].endswith(f"{f['code']}.md") for f in report)


def write_project(tmp_path, table):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.gradlint]\n{table}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BAD)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_train.py").write_text(BAD)


def codes(result):
    return sorted(line.split(" ")[0].rsplit(":", 3)[0] + " " + line.split(" ")[1] for line in result.stdout.splitlines())


def test_pyproject_select_ignore_per_file_ignores_and_exclude(tmp_path):
    write_project(
        tmp_path,
        'select = ["GRD2", "GRD3"]\nignore = ["GRD301"]\n'
        '[tool.gradlint.per-file-ignores]\n"tests/*" = ["GRD201"]\n',
    )
    result = gradlint("check", ".", cwd=tmp_path)
    assert codes(result) == ["src/train.py GRD201"]
    # found by walking up from a sub-directory, too
    assert codes(gradlint("check", "train.py", cwd=tmp_path / "src")) == ["train.py GRD201"]
    # the command line overrides the file
    assert codes(gradlint("check", "--ignore", "GRD2", ".", cwd=tmp_path)) == ["src/train.py GRD301", "tests/test_train.py GRD301"]


def test_pyproject_exclude_and_extend_select(tmp_path):
    write_project(tmp_path, 'extend-exclude = ["tests"]\nextend-select = ["GRD204"]\n')
    (tmp_path / "src" / "train.py").write_text(BAD + "print(w.data)\n")
    assert codes(gradlint("check", ".", cwd=tmp_path)) == [
        "src/train.py GRD201",
        "src/train.py GRD204",
        "src/train.py GRD301",
    ]


@pytest.mark.parametrize(
    "table,needle",
    [
        ('selekt = ["GRD2"]', "unknown key 'selekt'"),
        ('select = "GRD2"', "key 'select': must be a list of strings"),
        ('select = ["GRD999"]', "key 'select': unknown rule code or prefix: 'GRD999'"),
        ("respect-gitignore = 3", "key 'respect-gitignore'"),
        ("select = [", "invalid TOML"),
    ],
)
def test_broken_config_is_a_one_line_error_and_the_run_goes_on(tmp_path, table, needle):
    write_project(tmp_path, table)
    result = gradlint("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("gradlint: error:")]
    assert len(errors) == 1 and needle in errors[0] and "default settings" in errors[0]
    assert "Traceback" not in result.stderr
    # the files were linted with the default settings: nothing the broken table meant to report is lost
    assert codes(result) == [f"{f} {c}" for f in ("src/train.py", "tests/test_train.py") for c in ("GRD201", "GRD301")]


def test_explicit_config_file(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "lint.toml").write_text('[tool.gradlint]\nselect = ["GRD301"]\n')
    assert codes(gradlint("check", "--config", "lint.toml", "bad.py", cwd=tmp_path)) == ["bad.py GRD301"]
    missing = gradlint("check", "--config", "missing.toml", "bad.py", cwd=tmp_path)
    assert missing.returncode == 2 and "missing.toml: no such file" in missing.stderr
    assert codes(missing) == ["bad.py GRD201", "bad.py GRD301"]


def test_gitignored_files_are_skipped(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "bad.py").write_text(BAD)
    (tmp_path / "bad.py").write_text(BAD)
    assert codes(gradlint("check", ".", cwd=tmp_path)) == ["bad.py GRD201", "bad.py GRD301"]
    assert len(codes(gradlint("check", "--no-respect-gitignore", ".", cwd=tmp_path))) == 4


def test_stdin_with_filename():
    result = gradlint("check", "-", "--stdin-filename", "pkg/model.py", stdin=BAD)
    assert result.returncode == 1
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == ["pkg/model.py:3:1:", "pkg/model.py:5:7:"]


def test_file_level_noqa(tmp_path):
    (tmp_path / "legacy.py").write_text("# gradlint: noqa\n" + BAD)
    assert gradlint("check", "legacy.py", cwd=tmp_path).returncode == 0


def test_add_noqa_marks_every_finding_and_keeps_the_code(tmp_path):
    source = BAD + 'doc = """\nw += 1\n"""\nz = w * 3  # noqa: GRD999\nprint(z.grad)  # keep this comment\n'
    path = tmp_path / "legacy.py"
    path.write_text(source)
    result = gradlint("check", "--add-noqa", "legacy.py", cwd=tmp_path)
    assert result.returncode == 0
    fixed = path.read_text()
    assert "w += 1  # noqa: GRD201\n" in fixed
    assert "print(y.grad)  # noqa: GRD301\n" in fixed
    assert "print(z.grad)  # keep this comment  # noqa: GRD301\n" in fixed
    assert fixed.count("\n") == source.count("\n")
    assert gradlint("check", "legacy.py", cwd=tmp_path).returncode == 0
    # a second run has nothing left to do
    gradlint("check", "--add-noqa", "legacy.py", cwd=tmp_path)
    assert path.read_text() == fixed


def notebook(cells):
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                for kind, source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_notebooks_are_linted_cell_by_cell(tmp_path):
    (tmp_path / "train.ipynb").write_text(
        notebook(
            [
                ("markdown", ["# Training\n"]),
                ("code", ["%matplotlib inline\n", "import torch\n", "w = torch.randn(3, requires_grad=True)\n"]),
                ("code", ["!nvidia-smi\n", "for step in range(3):\n", "    %time loss = (w * 2).sum()\n", "    w -= 0.1 * w\n"]),
                ("code", ["%%bash\n", "echo w += 1\n"]),
                ("code", ["y = w * 2\n", "y.grad\n"]),
            ]
        )
    )
    result = gradlint("check", "train.ipynb", cwd=tmp_path)
    assert [line.split(": ", 1)[0] + " " + line.split(": ", 1)[1][:6] for line in result.stdout.splitlines()] == [
        "train.ipynb:cell 3:4:5 GRD201",
        "train.ipynb:cell 5:2:1 GRD301",
    ]


def test_malformed_notebooks_are_input_errors(tmp_path):
    (tmp_path / "a.ipynb").write_text('{"cells": [')
    (tmp_path / "b.ipynb").write_text('{"nbformat": 4}')
    (tmp_path / "c.ipynb").write_text(notebook([("code", ["def broken(:\n"])]))
    result = gradlint("check", ".", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(" GRD001 " in line for line in lines)
    assert "Traceback" not in result.stderr


def test_cache_answers_unchanged_files_and_notices_changes(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "nb.ipynb").write_text(notebook([("code", ["import torch\n", "w = torch.ones(2, requires_grad=True)\n", "w += 1\n"])]))
    first = gradlint("check", ".", cwd=tmp_path)
    cache = tmp_path / ".gradlint_cache"
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    entries = list(cache.glob("v1/*/*.json"))
    assert len(entries) == 2
    # poison the cache: a second run must come from it, byte for byte the same paths
    for entry in entries:
        stored = json.loads(entry.read_text())
        for row in stored["findings"]:
            row[3] = "cached: " + row[3]
        entry.write_text(json.dumps(stored))
    second = gradlint("check", ".", cwd=tmp_path)
    assert second.stdout.count("cached: ") == 3
    assert second.stdout.replace("cached: ", "") == first.stdout
    assert gradlint("check", "--no-cache", ".", cwd=tmp_path).stdout == first.stdout
    # a changed file is linted again
    (tmp_path / "a.py").write_text(BAD.replace("w += 1\n", ""))
    third = gradlint("check", ".", cwd=tmp_path)
    assert "GRD201" not in third.stdout.split("nb.ipynb")[0]


def test_force_exclude_applies_to_named_files(tmp_path):
    write_project(tmp_path, 'extend-exclude = ["tests"]\n')
    named = "tests/test_train.py"
    assert gradlint("check", named, cwd=tmp_path).returncode == 1
    assert gradlint("check", "--force-exclude", named, cwd=tmp_path).returncode == 0
