"""--fix / --unsafe-fixes / --diff: each fix, its safety class, idempotence, and that nothing is corrupted."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradlint.fixer import fix_text
from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent


def fixed(source, unsafe=False):
    return fix_text(textwrap.dedent(source), "x.py", ALL_RULES, unsafe)


@pytest.mark.parametrize(
    "before,after",
    [
        (  # GRD401
            "import torch.nn as nn\nmodel = nn.Linear(2, 2)\nmodel.requires_grad = False  # freeze\n",
            "import torch.nn as nn\nmodel = nn.Linear(2, 2)\nmodel.requires_grad_(False)  # freeze\n",
        ),
        (  # GRD402
            "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.require_grad = False\n",
            "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad = False\n",
        ),
        (  # GRD403
            "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad == False\n",
            "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad = False\n",
        ),
        (  # GRD503
            "import torch\nw = torch.ones(2, requires_grad=True)\nprint((w * 2).numpy())\n",
            "import torch\nw = torch.ones(2, requires_grad=True)\nprint((w * 2).detach().numpy())\n",
        ),
        (  # GRD506
            "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\ny = Variable(x + 1, requires_grad=True)\n",
            "import torch\nfrom torch.autograd import Variable\nx = torch.ones(2)\ny = (x + 1).requires_grad_()\n",
        ),
    ],
)
def test_safe_fixes(before, after):
    text, count = fixed(before)
    assert text == after and count >= 1
    # a second run changes nothing
    assert fixed(after) == (after, 0)


UNSAFE = """\
import torch
w = torch.randn(3, requires_grad=True)
a, b = w * 2, w * 3
t = torch.tensor([a.sum(), b.sum()])
for step in range(3):
    loss = (w * 2).sum()
    loss.backward()
    # plain gradient descent (without the clear, the fixed update would be GRD501's pitfall)
    w -= 0.1 * w.grad
    w.grad = None
"""


def test_unsafe_fixes_only_when_asked():
    assert fixed(UNSAFE) == (UNSAFE, 0)
    text, count = fixed(UNSAFE, unsafe=True)
    assert count == 2
    assert "t = torch.stack([a.sum(), b.sum()])\n" in text
    assert "pitfall)\n    with torch.no_grad():\n        w -= 0.1 * w.grad\n    w.grad = None\n" in text
    assert fixed(text, unsafe=True) == (text, 0)


def test_no_fix_on_suppressed_lines_or_without_a_torch_name():
    source = "import torch.nn as nn\nm = nn.Linear(2, 2)\nm.requires_grad = False  # noqa: GRD401\n"
    assert fixed(source) == (source, 0)
    source = "from torch import nn, zeros\nw = nn.Parameter(zeros(2))\nw += 1\n"
    assert fixed(source, unsafe=True) == (source, 0)


def gradlint(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_cli_fix_diff_and_encodings(tmp_path):
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\nimport torch.nn as nn\nm = nn.Linear(2, 2)\r\nm.requires_grad = False\r\n"
    path = tmp_path / "legacy.py"
    path.write_bytes(source.encode("latin-1"))
    diff = gradlint("check", "--diff", "legacy.py", cwd=tmp_path)
    assert diff.returncode == 1
    assert "-m.requires_grad = False" in diff.stdout and "+m.requires_grad_(False)" in diff.stdout
    assert path.read_bytes() == source.encode("latin-1")  # --diff writes nothing
    result = gradlint("check", "--fix", "legacy.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "fixed 1 findings" in result.stderr
    assert path.read_bytes() == source.replace("m.requires_grad = False", "m.requires_grad_(False)").encode("latin-1")
    again = gradlint("check", "--fix", "legacy.py", cwd=tmp_path)
    assert "fixed 0 findings" in again.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".gradlint-")] == []


def test_fix_reports_what_is_left(tmp_path):
    (tmp_path / "a.py").write_text(UNSAFE + "y = w * 2\nprint(y.grad)\n")
    result = gradlint("check", "--fix", "a.py", cwd=tmp_path)
    # no safe fix applies: the unsafe ones are left, and GRD301 has no fix
    assert result.returncode == 1
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["GRD101", "GRD201", "GRD301"]
    result = gradlint("check", "--fix", "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["GRD301"]
    compile((tmp_path / "a.py").read_text(), "a.py", "exec")


def test_one_line_fix_edits_equal_the_whole_module_edit_and_cost_no_module_rewrite(monkeypatch):
    """The JSON/SARIF edit of a one-line fix is computed from its node alone: the same edit as
    rewriting the whole module, without one whole-module rewrite per finding (quadratic)."""
    import glob

    import libcst

    import gradlint.fixer as fixer
    from gradlint import edits
    from gradlint.engine import collect, lint_text
    from gradlint.positions import Positions
    from gradlint.rules import ALL_RULES as RULES

    root = Path(__file__).resolve().parent.parent
    compared = 0
    for path in sorted(glob.glob(str(root / "rules" / "*" / "*.py"))):
        text = Path(path).read_text(encoding="utf-8")
        module = libcst.parse_module(text)
        raw, _ = collect(module, RULES, path, text, None)
        positions = Positions(module)
        for _, _, _, fix in raw:
            if fix is not None:
                assert edits.fix_edits(module, text, fix, positions) == edits.fix_edits(module, text, fix)
                compared += 1
    assert compared >= 10

    rewrites = []
    real = fixer._Replace

    def counting(*args):
        rewrites.append(1)
        return real(*args)

    monkeypatch.setattr(fixer, "_Replace", counting)
    source = "import torch.nn as nn\n" + "".join(f"m{i} = nn.Linear(2, 2)\nm{i}.requires_grad = False\n" for i in range(200))
    findings = lint_text(source, "many.py", RULES)
    assert len([f for f in findings if f.edits]) == 200
    assert rewrites == []
