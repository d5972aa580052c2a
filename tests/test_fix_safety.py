"""--fix, --diff and --add-noqa never change what a program does, and never touch what they should not."""

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from gradlint.fixer import fix_source
from gradlint.noqa import noqa_text
from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
FIXABLE = "import torch.nn as nn\nm = nn.Linear(2, 2)\nm.requires_grad = False\n"
FIXED = "import torch.nn as nn\nm = nn.Linear(2, 2)\nm.requires_grad_(False)\n"


def gradlint(*args, cwd, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd, env=env, input=stdin
    )


def test_add_noqa_never_writes_inside_a_string():
    source = (
        "import torch\nw = torch.zeros(3, requires_grad=True)\n"
        'doc = """\nw += 1\n"""\n'
        'x = """first\nline"""; w += 1\n'
        'note = "# noqa: E501"; w += 1\n'
        "w += 1\n"
    )
    codes = {4: {"GRD201"}, 7: {"GRD201"}, 8: {"GRD201"}, 9: {"GRD201"}}
    new, count = noqa_text(source, codes)
    assert ast.dump(ast.parse(new)) == ast.dump(ast.parse(source))
    assert 'note = "# noqa: E501"; w += 1\n' in new  # the string literal is not merged into
    assert new.endswith("w += 1  # noqa: GRD201\n") and count >= 1


def test_noqa_lines_are_python_lines_after_form_feed_and_u2028():
    from gradlint.engine import lint_text

    source = "import torch\n\x0cw = torch.zeros(3, requires_grad=True)  # a\u2028b\nw += 1  # noqa: GRD201\ny = w * 2\n"
    assert [f.code for f in lint_text(source, "x.py", ALL_RULES)] == []
    marked, _ = noqa_text(source, {3: {"GRD201"}})
    assert marked == source  # the line already has it: the right line was read


def test_stdin_fixes_go_to_stdout_and_nothing_on_disk_changes(tmp_path):
    (tmp_path / "model.py").write_text("# the file on disk\n")
    result = gradlint("check", "--fix", "-", "--stdin-filename", "model.py", cwd=tmp_path, stdin=FIXABLE)
    assert result.stdout == FIXED
    assert (tmp_path / "model.py").read_text() == "# the file on disk\n"
    result = gradlint("check", "--add-noqa", "-", "--stdin-filename", "model.py", cwd=tmp_path, stdin=FIXABLE)
    assert result.stdout == FIXABLE.replace("= False\n", "= False  # noqa: GRD401\n")
    assert (tmp_path / "model.py").read_text() == "# the file on disk\n"


def test_fix_only_what_is_reported(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gradlint.per-file-ignores]\n"legacy.py" = ["GRD401"]\n')
    (tmp_path / "legacy.py").write_text(FIXABLE)
    (tmp_path / "new.py").write_text(FIXABLE)
    result = gradlint("check", "--fix", ".", cwd=tmp_path)
    assert (tmp_path / "legacy.py").read_text() == FIXABLE
    assert (tmp_path / "new.py").read_text() == FIXED
    assert result.returncode == 0, result.stdout


def test_fix_writes_through_links_and_keeps_mode(tmp_path):
    real = tmp_path / "real.py"
    real.write_text(FIXABLE)
    real.chmod(0o640)
    (tmp_path / "link.py").symlink_to("real.py")
    os.link(real, tmp_path / "hard.py")
    result = gradlint("check", "--fix", "--no-respect-gitignore", "link.py", cwd=tmp_path)
    assert "fixed 1 findings" in result.stderr, result.stderr
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_text() == FIXED and (tmp_path / "hard.py").read_text() == FIXED
    assert os.stat(real).st_ino == os.stat(tmp_path / "hard.py").st_ino
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_read_only_files_and_directories_are_skipped_and_reported(tmp_path):
    locked = tmp_path / "locked.py"
    locked.write_text(FIXABLE)
    locked.chmod(0o444)
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "a.py").write_text(FIXABLE)
    folder.chmod(0o555)
    (tmp_path / "z.py").write_text(FIXABLE)
    try:
        result = gradlint("check", "--fix", ".", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
        locked.chmod(0o644)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "locked.py: not fixed: read-only" in result.stderr
    assert locked.read_text() == FIXABLE
    assert (folder / "a.py").read_text() == FIXED  # the file is writable: written in place
    assert (tmp_path / "z.py").read_text() == FIXED
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["locked.py"]


def test_a_failing_run_leaves_every_file_as_it_was(tmp_path):
    """All contents are computed before the first write: a crash on the last file writes nothing."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(FIXABLE)
    (tmp_path / "c.py").write_text(FIXABLE)
    crash = (
        "import sys, runpy\n"
        "import gradlint.autofix as autofix\n"
        "real = autofix.fix_bytes\n"
        "def fix_bytes(data, path, *args):\n"
        "    if path.endswith('c.py'):\n"
        "        raise RuntimeError('boom')\n"
        "    return real(data, path, *args)\n"
        "autofix.fix_bytes = fix_bytes\n"
        "sys.argv = ['gradlint', 'check', '--fix', '.']\n"
        "runpy.run_module('gradlint', run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 2 and "boom" in result.stderr
    assert all((tmp_path / n).read_text() == FIXABLE for n in ("a.py", "b.py", "c.py"))


def test_one_run_reaches_the_fixed_point_in_few_lints(monkeypatch):
    import gradlint.fixer as fixer

    lints = []
    real = fixer.lint_text

    def counting(*args, **kwargs):
        lints.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fixer, "lint_text", counting)
    body = "".join(f"m{i} = nn.Linear(2, 2)\nm{i}.requires_grad = False\n" for i in range(150))
    source = "import torch.nn as nn\n" + body
    result = fix_source(source, "x.py", ALL_RULES, unsafe=False)
    assert result.applied == 150 and "requires_grad = False" not in result.text
    # the fixes of a round are verified together: one lint per fix took minutes on real files
    assert len(lints) <= 5, len(lints)
    assert fix_source(result.text, "x.py", ALL_RULES, unsafe=False).applied == 0


def test_fix_and_diff_on_notebooks_edit_only_the_cells(tmp_path):
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["import torch.nn as nn\n", "m = nn.Linear(2, 2)"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["m.requires_grad = False"]},
        {"cell_type": "code", "metadata": {"tags": ["x"]}, "outputs": [], "execution_count": 3,
         "source": ["%time x = 1\n", "m.requires_grad = False\n", "y = 1"]},
    ]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    original = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    path = tmp_path / "nb.ipynb"
    path.write_text(original)
    diff = gradlint("check", "--diff", "nb.ipynb", cwd=tmp_path)
    assert diff.returncode == 1 and '+    "m.requires_grad_(False)\\n",' in diff.stdout
    assert path.read_text() == original
    result = gradlint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cells[2]["source"][1] = "m.requires_grad_(False)\n"
    assert path.read_text() == json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    assert gradlint("check", "--add-noqa", "nb.ipynb", cwd=tmp_path).returncode == 0
