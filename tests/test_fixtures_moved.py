"""Every rule's fixtures keep their verdicts when their script moves into a function or a method.

Real training code is rarely a module-level script: the loop sits in ``def main():`` under
``if __name__ == "__main__":``, or in a method of a runner class. The fixtures in
``rules/<CODE>/`` are scripts; here each one's statements after its imports, functions and
classes move into such a body, and the rule must report exactly the marked lines (shifted by
the lines the move adds), while ``good.py`` moved the same way stays silent for every rule.
"""

import ast
from pathlib import Path

import pytest

from gradlint.analysis.project import forget_projects
from gradlint.engine import ENGINE_CODES, lint_bytes
from gradlint.rules import ALL_RULES
from snippets import findings

RULES = Path(__file__).resolve().parent.parent / "rules"

#: how each move indents the script, the lines it puts before it, and the lines after it
MOVES = {
    "main-function": ("    ", ["def main():"], ["", "", 'if __name__ == "__main__":', "    main()"]),
    "runner-method": ("        ", ["class Runner:", "    def run(self):"], ["", "", "Runner().run()"]),
    # the loop in `def train(model, optimizer, ...)`, called by main() with what it built
    "train-function": None,
}


def _script_start(text: str):
    """The 0-based line where the script begins, if everything from there on is plain statements."""
    statements = ast.parse(text).body
    definitions = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    script = [s for s in statements if not isinstance(s, definitions)]
    if not script or any(isinstance(s, definitions) for s in statements[statements.index(script[0]) :]):
        return None
    return script[0].lineno - 1


def moved(text: str, move: str):
    """``text`` with its script moved, and where each original line went (1-based)."""
    start = _script_start(text)
    if start is None:
        return None, {}
    lines = text.splitlines()
    if move == "train-function":
        return _split_at_the_loop(text, start)
    indent, before, after = MOVES[move]
    body = [indent + line if line.strip() else "" for line in lines[start:]]
    where = {n: (n + len(before) if n > start else n) for n in range(1, len(lines) + 1)}
    return "\n".join(lines[:start] + before + body + after) + "\n", where


def _split_at_the_loop(text: str, start: int):
    """The script's first loop and what follows it become ``def train(...)``, given as parameters
    the names the script bound before the loop; ``main()`` builds them and calls it."""
    lines = text.splitlines()
    tree = ast.parse(text)
    script = [s for s in tree.body if s.lineno - 1 >= start]
    loop = next((s for s in script if isinstance(s, (ast.For, ast.While))), None)
    if loop is None or loop is script[0]:
        return None, {}
    split = loop.lineno - 1
    bound = []
    for statement in script[: script.index(loop)]:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in bound:
                bound.append(node.id)
    used = {n.id for s in script[script.index(loop) :] for n in ast.walk(s) if isinstance(n, ast.Name)}
    params = ", ".join(name for name in bound if name in used)
    head = [f"def train({params}):"] + ["    " + line if line.strip() else "" for line in lines[split:]]
    main = ["", "", "def main():"] + ["    " + line if line.strip() else "" for line in lines[start:split]]
    main += [f"    train({params})", "", "", 'if __name__ == "__main__":', "    main()"]
    where = {n: n for n in range(1, start + 1)}
    where.update({n: start + 1 + n - split for n in range(split + 1, len(lines) + 1)})  # under `def train`
    where.update({n: start + len(head) + 3 + n - start for n in range(start + 1, split + 1)})  # under `def main`
    return "\n".join(lines[:start] + head + main) + "\n", where


def _fixtures():
    for folder in sorted(RULES.glob("GRD*")):
        code = folder.name
        if code in ENGINE_CODES or not (folder / "bad.py").is_file():
            continue
        text = (folder / "bad.py").read_text(encoding="utf-8")
        if _script_start(text) is not None:
            yield code


FIXTURES = list(_fixtures())

#: known gaps, each with its diagnosis (strict: fixing one fails the test, to be removed here)
GAPS: dict = {}


def _cases(moves=tuple(sorted(MOVES))):
    for code in FIXTURES:
        for move in moves:
            gap = GAPS.get((code, move))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            yield pytest.param(code, move, marks=marks, id=f"{code}-{move}")


def test_most_fixtures_are_scripts_that_can_move():
    assert len(FIXTURES) >= 25


@pytest.mark.parametrize("code,move", list(_cases()))
def test_bad_fixture_reports_the_same_lines_once_moved(code, move):
    text = (RULES / code / "bad.py").read_text(encoding="utf-8")
    marked = [n for n, line in enumerate(text.splitlines(), 1) if f"# expect: {code}" in line]
    source, where = moved(text, move)
    if source is None:
        pytest.skip("the script has no loop after its first statement")
    expected = sorted((where[n], code) for n in marked)
    # every rule runs, as for a user (GRD100 judges the other rules' suppressions)
    assert sorted(f for f in findings(source) if f[1] == code) == expected


@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("code", FIXTURES)
def test_good_fixture_stays_silent_once_moved(code, move):
    text = (RULES / code / "good.py").read_text(encoding="utf-8")
    source, _ = moved(text, move)
    if source is None:
        pytest.skip("good.py cannot move that way")
    assert [f for f in findings(source) if f[1] not in ENGINE_CODES] == []


def in_two_files(text: str):
    """The train-function move, with ``train`` and the fixture's classes and functions in
    ``training.py`` and ``main()`` in ``main.py``, which imports them: {file: text}, and where
    each original line went, (file, line)."""
    source, where = moved(text, "train-function")
    if source is None:
        return None, {}
    lines = source.splitlines()
    tree = ast.parse(source)
    main = next(s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == "main")
    imports = [line for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)) for line in lines[s.lineno - 1 : s.end_lineno]]
    names = [s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef)) and s.name != "main"]
    head = imports + ["from training import " + ", ".join(names), "", ""]
    files = {
        "training.py": "\n".join(lines[: main.lineno - 1]) + "\n",
        "main.py": "\n".join(head + lines[main.lineno - 1 :]) + "\n",
    }
    shift = len(head) - (main.lineno - 1)
    placed = {
        n: ("training.py", line) if line < main.lineno else ("main.py", line + shift) for n, line in where.items()
    }
    return files, placed


def lint_project(root, files):
    forget_projects()
    for name, text in files.items():
        (root / name).write_text(text)
    found = []
    for name in sorted(files):
        path = root / name
        found += [(name, f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), list(ALL_RULES))]
    return sorted(found)


@pytest.mark.parametrize("code,move", list(_cases(("training-file",))))
def test_bad_fixture_split_into_a_training_module_and_a_main_module(tmp_path, code, move):
    text = (RULES / code / "bad.py").read_text(encoding="utf-8")
    files, placed = in_two_files(text)
    if files is None:
        pytest.skip("the script has no loop after its first statement")
    marked = [n for n, line in enumerate(text.splitlines(), 1) if f"# expect: {code}" in line]
    expected = sorted(placed[n] + (code,) for n in marked)
    assert [f for f in lint_project(tmp_path, files) if f[2] == code] == expected


@pytest.mark.parametrize("code", FIXTURES)
def test_good_fixture_split_into_two_modules_stays_silent(tmp_path, code):
    files, _ = in_two_files((RULES / code / "good.py").read_text(encoding="utf-8"))
    if files is None:
        pytest.skip("good.py cannot move that way")
    assert [f for f in lint_project(tmp_path, files) if f[2] not in ENGINE_CODES] == []
