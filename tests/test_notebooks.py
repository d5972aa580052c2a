"""Notebooks as Ruff handles them: IPython syntax, Python cell magics, and findings located by
the notebook's real path plus the cell, in every output format."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
LEAF = "import torch\nw = torch.zeros(3, requires_grad=True)\n"


def gradlint(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", "check", "--no-cache", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def write_notebook(path, *sources):
    """Each source is one code cell, stored as nbformat does: a list of lines."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }
        for source in sources
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
    return path


def located(result):
    """(cell, line, column, code) of each JSON finding."""
    return [(f["cell"], f["line"], f["column"], f["code"]) for f in json.loads(result.stdout)]


def test_line_magics_and_shell_escapes_do_not_hide_the_notebook(tmp_path):
    write_notebook(
        tmp_path / "nb.ipynb",
        "%matplotlib inline\nfiles = !ls\nx = %env HOME\n" + LEAF,
        "res = %time w.sum()\nout = %timeit -o w.sum()\n!nvidia-smi\nw?\n",
        "w += 1\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(3, 1, 1, "GRD201")], result.stdout


def test_a_shell_escape_continued_by_backslashes_is_not_python(tmp_path):
    # clovaai deep-text-recognition-benchmark demo.ipynb
    write_notebook(
        tmp_path / "nb.ipynb",
        "output = !CUDA_VISIBLE_DEVICES=0 python3 demo.py \\\n--Transformation TPS \\\n--image_folder demo_image/\n" + LEAF,
        "res = %time w.sum(\\\n    )\nw += 1\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(2, 3, 1, "GRD201")], result.stdout


def test_python_cell_magics_are_linted_and_other_cell_magics_skipped(tmp_path):
    write_notebook(
        tmp_path / "nb.ipynb",
        LEAF,
        "%%time\nw += 1\n",
        "%%timeit -n 1\nw *= 2\n",
        "%%capture captured\nw -= 1\n",
        "%%bash\nw += 1\n",
        "%%html\n<b>w += 1</b>\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(2, 2, 1, "GRD201"), (3, 2, 1, "GRD201"), (4, 2, 1, "GRD201")], result.stdout


def test_columns_after_a_timing_magic_are_the_cells(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", LEAF + "%time w += 1\nfor _ in range(2):\n    %timeit -n 1 -r 1 w += 1\n")
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(1, 3, 7, "GRD201"), (1, 5, 23, "GRD201")], result.stdout


def test_findings_carry_the_real_path_and_the_summary_counts_files(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", LEAF, "w += 1\n", "y = w * 2\nprint(y.grad)\n")
    result = gradlint("nb.ipynb", cwd=tmp_path)
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        "nb.ipynb:cell 2:1:1",
        "nb.ipynb:cell 3:2:7",
    ]
    assert "2 findings in 1 of 1 files checked" in result.stderr
    findings = json.loads(gradlint("--format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert {f["path"] for f in findings} == {"nb.ipynb"}
    assert [f["cell"] for f in findings] == [2, 3]


def test_per_file_ignores_match_notebooks(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gradlint.per-file-ignores]\n"*.ipynb" = ["GRD201"]\n')
    write_notebook(tmp_path / "nb.ipynb", LEAF, "w += 1\n", "y = w * 2\nprint(y.grad)\n")
    (tmp_path / "script.py").write_text(LEAF + "w += 1\n")
    result = gradlint("--format", "json", ".", cwd=tmp_path)
    assert [(f["path"], f["code"]) for f in json.loads(result.stdout)] == [("nb.ipynb", "GRD301"), ("script.py", "GRD201")]


def _json_line_of(path, needle):
    [number] = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return number


def test_github_annotations_attach_to_the_notebook_file(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", LEAF, "x = 1\nw += 1\n")
    result = gradlint("--format", "github", "nb.ipynb", cwd=tmp_path)
    line = _json_line_of(path, '"w += 1')
    column = path.read_text().splitlines()[line - 1].index('"w += 1') + 2
    assert result.stdout.startswith(f"::error file=nb.ipynb,line={line},col={column},endLine={line},"), result.stdout
    assert "::GRD201 cell 2, line 2: `w += 1`" in result.stdout


def test_sarif_regions_are_in_the_notebook_file_and_name_the_cell(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    path = write_notebook(tmp_path / "nb.ipynb", LEAF, "w += 1\n")
    log = json.loads(gradlint("--format", "sarif", "nb.ipynb", cwd=tmp_path).stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    [result] = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "nb.ipynb"
    assert location["region"]["startLine"] == _json_line_of(path, '"w += 1')
    assert result["properties"] == {"cell": 2, "cellLine": 1, "cellColumn": 1}
    assert result["message"]["text"].startswith("cell 2, line 1: ")


def test_add_noqa_marks_the_line_in_its_cell_and_keeps_the_rest_of_the_json(tmp_path):
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]}, "outputs": [],
         "source": LEAF.splitlines(keepends=True)},
        {"cell_type": "markdown", "metadata": {}, "source": ["w += 1\n"]},
        # a cell stored as one string, an IPython line kept as it is, a timed line, no final newline
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [{"output_type": "stream",
         "name": "stdout", "text": ["\u00e9t\u00e9\n"]}], "source": "files = !ls\nx = 1\n%time w += 1\nw += 1"},
    ]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "plain.py").write_text(LEAF + "w += 1\n")
    result = gradlint("--add-noqa", "nb.ipynb", "plain.py", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "added noqa to 3 lines" in result.stderr
    cells[2]["source"] = "files = !ls\nx = 1\n%time w += 1  # noqa: GRD201\nw += 1  # noqa: GRD201"
    assert path.read_text(encoding="utf-8") == json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    assert (tmp_path / "plain.py").read_text() == LEAF + "w += 1  # noqa: GRD201\n"
    again = gradlint("nb.ipynb", "plain.py", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "", again.stdout


def test_add_noqa_leaves_a_notebook_it_cannot_rewrite_exactly_as_it_was(tmp_path):
    # JSON laid out by hand: writing it back would reformat it, so it is not touched
    path = tmp_path / "nb.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": [LEAF, "w += 1\n"]}]
    before = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=3)
    path.write_text(before.replace('"cells": [', '"cells":   ['))
    before = path.read_text()
    result = gradlint("--add-noqa", "nb.ipynb", cwd=tmp_path)
    assert "Traceback" not in result.stderr and result.returncode == 0
    assert path.read_text() == before
    assert "added noqa to 0 lines" in result.stderr


def test_add_noqa_on_a_notebook_from_stdin(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", LEAF, "w += 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "gradlint", "check", "--no-cache", "--add-noqa", "-", "--stdin-filename", "nb.ipynb"],
        input=path.read_text(), capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cells"][1]["source"] == ["w += 1  # noqa: GRD201\n"]


def test_a_cells_last_expression_is_displayed_not_thrown_away(tmp_path):
    # Angel-dash NLP_pytorch1.ipynb, rasbt code-part1.ipynb: `a.expand(3, 4)` ending a cell shows the
    # expanded tensor; the same call before the end, silenced by `;` or inside a loop throws it away
    write_notebook(
        tmp_path / "nb.ipynb",
        "import torch\na = torch.rand(3, 1)\na.expand(3, 4)\n",
        "b = torch.rand(3, 1)\nb.expand(3, 4)\nprint(b)\n",
        "c = torch.rand(3, 1)\nc.expand(3, 4);\n",
        "for i in range(2):\n    d = torch.rand(3, 1)\n    d.expand(3, 4)\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(2, 2, 1, "GRD507"), (3, 2, 1, "GRD507"), (4, 3, 5, "GRD507")], result.stdout
    fixed = gradlint("--fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    cells = ["".join(cell["source"]) for cell in json.loads((tmp_path / "nb.ipynb").read_text())["cells"]]
    assert cells[0].endswith("\na.expand(3, 4)\n") and "b = b.expand(3, 4)" in cells[1]


def test_automagic_line_magics_are_not_python(tmp_path):
    # Angel-dash movie_classification_turner.ipynb: `pip install keras-tuner` without `%` is
    # IPython's automagic; a cell using `pip` as a Python name is left alone
    write_notebook(
        tmp_path / "nb.ipynb",
        "pip install keras-tuner\n",
        "conda install -y pytorch\n" + LEAF,
        "pip = 3\nprint(pip + 1)\nw += 1\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(3, 3, 1, "GRD201")], result.stdout


def test_a_cells_leading_indentation_is_removed_as_ipython_does(tmp_path):
    # mrdbourke pytorch-deep-learning: cells whose every line starts with one space are valid IPython
    write_notebook(tmp_path / "nb.ipynb", " import torch\n w = torch.zeros(3, requires_grad=True)\n", " w += 1\n")
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(2, 1, 2, "GRD201")], result.stdout


def test_a_cell_with_a_syntax_error_fails_alone(tmp_path):
    """Jupyter runs the other cells of a notebook one of whose cells has a syntax error: they are
    linted, and the broken cell is reported (GRD001) at its error."""
    write_notebook(
        tmp_path / "nb.ipynb",
        LEAF,
        "def broken(:\n    pass\n",
        "w += 1\n",
        "async def fetch():\n    return 1\nawait fetch()\n",
    )
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(2, 1, 12, "GRD001"), (3, 1, 1, "GRD201")], result.stdout


def test_fix_leaves_a_cell_with_a_syntax_error_as_it_was(tmp_path):
    broken = "for x in range(3)\n    print(x)\n"
    path = write_notebook(tmp_path / "nb.ipynb", "import torch.nn as nn\nnet = nn.Linear(2, 2)\nnet.requires_grad = False\n", broken)
    result = gradlint("--fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    cells = json.loads(path.read_text())["cells"]
    assert "".join(cells[1]["source"]) == broken
    assert "GRD001" in result.stdout
    assert "".join(cells[0]["source"]).endswith("net.requires_grad_(False)\n"), result.stdout


def test_a_cell_holding_a_nul_byte_fails_alone(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", "import torch\nnote = '\x00'\n", LEAF, "w += 1\n")
    result = gradlint("--format", "json", "nb.ipynb", cwd=tmp_path)
    assert located(result) == [(1, 1, 1, "GRD001"), (3, 1, 1, "GRD201")], result.stdout
