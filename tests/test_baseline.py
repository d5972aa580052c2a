"""``--baseline`` / ``--write-baseline`` and ``baseline = "..."`` in [tool.gradlint]."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = "import torch\nw = torch.zeros(3, requires_grad=True)\n"
OLD = HEADER + "w += 1\nv = torch.ones(2, requires_grad=True)\nv *= 3\n"


def gradlint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd)


def reported(result):
    return [re.match(r"^(.*?:\d+:\d+:) (GRD\d{3}) ", line).groups() for line in result.stdout.splitlines()]


def test_moved_findings_stay_suppressed_and_a_new_one_is_reported(tmp_path):
    (tmp_path / "train.py").write_text(OLD)
    written = gradlint("check", "--write-baseline", "gradlint-baseline.json", ".", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "recorded 2 findings" in written.stderr
    assert gradlint("check", "--baseline", "gradlint-baseline.json", ".", cwd=tmp_path).returncode == 0

    # lines inserted above move both old findings; a new pitfall is added at the end
    moved = "import os\n\n\n" + OLD.replace("w += 1", "print(os.sep)\n    \nw += 1") + "w *= 2\n"
    (tmp_path / "train.py").write_text(moved)
    without = gradlint("check", ".", cwd=tmp_path)
    assert [code for _, code in reported(without)] == ["GRD201"] * 3
    result = gradlint("check", "--baseline", "gradlint-baseline.json", ".", cwd=tmp_path)
    assert result.returncode == 1
    new_line = moved.splitlines().index("w *= 2") + 1
    assert reported(result) == [(f"train.py:{new_line}:1:", "GRD201")]


def test_a_copy_of_a_baselined_line_is_new(tmp_path):
    (tmp_path / "a.py").write_text(HEADER + "w += 1\n")
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    (tmp_path / "a.py").write_text(HEADER + "w += 1\nw += 1\n")
    result = gradlint("check", "--baseline", "base.json", ".", cwd=tmp_path)
    assert len(reported(result)) == 1


def test_fixed_findings_leave_the_next_baseline_and_the_file_is_stable_sorted_json(tmp_path):
    (tmp_path / "b.py").write_text(OLD)
    (tmp_path / "a.py").write_text(HEADER + "w += 1\nw += 1\n")
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    first = (tmp_path / "base.json").read_text()
    data = json.loads(first)
    assert data["version"] == 1
    keys = [(e["path"], e["code"], e["fingerprint"]) for e in data["findings"]]
    assert keys == sorted(keys) and [e["path"] for e in data["findings"]] == ["a.py", "b.py", "b.py"]
    assert data["findings"][0]["count"] == 2
    assert first == json.dumps(data, indent=2, sort_keys=True) + "\n"

    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert (tmp_path / "base.json").read_text() == first  # nothing changed: byte-identical

    (tmp_path / "b.py").write_text(OLD.replace("v *= 3", "with torch.no_grad():\n    v *= 3"))
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    entries = json.loads((tmp_path / "base.json").read_text())["findings"]
    assert [(e["path"], e["count"]) for e in entries] == [("a.py", 2), ("b.py", 1)]


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(HEADER + "w += 1\n")
    gradlint("check", "--write-baseline", "base.json", "src", cwd=tmp_path)
    assert json.loads((tmp_path / "base.json").read_text())["findings"][0]["path"] == "src/a.py"
    # the same baseline applies when gradlint runs from another directory
    assert gradlint("check", "--baseline", "../base.json", ".", cwd=tmp_path / "src").returncode == 0


def test_config_baseline_is_honoured_by_check_and_flake8(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gradlint]\nbaseline = "base.json"\n')
    (tmp_path / "a.py").write_text(HEADER + "w += 1\n")
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    (tmp_path / "a.py").write_text(HEADER + "\nw += 1\nw *= 2\n")
    result = gradlint("check", ".", cwd=tmp_path)
    assert reported(result) == [("a.py:5:1:", "GRD201")]
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "GRD", "a.py"], capture_output=True, text=True, cwd=tmp_path
    )
    assert [line.split(" ")[:2] for line in flake8.stdout.splitlines()] == [["a.py:5:1:", "GRD201"]]


def test_notebook_findings_are_baselined_by_cell(tmp_path):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": HEADER},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "w += 1\n"}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert json.loads((tmp_path / "base.json").read_text())["findings"][0]["path"].startswith("nb.ipynb")
    cells.insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "x = 1\n"})
    cells[2]["source"] = "print(1)\nw += 1\n"
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    assert gradlint("check", "--baseline", "base.json", ".", cwd=tmp_path).returncode == 0
    cells[2]["source"] = "w += 1\nw *= 2\n"
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    assert [code for _, code in reported(gradlint("check", "--baseline", "base.json", ".", cwd=tmp_path))] == ["GRD201"]


def test_a_broken_baseline_is_a_one_line_error_and_every_finding_is_reported(tmp_path):
    (tmp_path / "a.py").write_text(HEADER + "w += 1\n")
    (tmp_path / "broken.json").write_text("{")
    for name in ("broken.json", "missing.json"):
        result = gradlint("check", "-q", "--baseline", name, ".", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.startswith("gradlint: error:") and name in result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert [code for _, code in reported(result)] == ["GRD201"]
    (tmp_path / "pyproject.toml").write_text("[tool.gradlint]\nbaseline = 3\n")
    result = gradlint("check", ".", cwd=tmp_path)
    assert result.returncode == 2 and "'baseline'" in result.stderr


def test_engine_errors_are_never_baselined(tmp_path):
    (tmp_path / "broken.py").write_text("def (:\n")
    gradlint("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert json.loads((tmp_path / "base.json").read_text())["findings"] == []
    result = gradlint("check", "--baseline", "base.json", ".", cwd=tmp_path)
    assert [code for _, code in reported(result)] == ["GRD001"]
