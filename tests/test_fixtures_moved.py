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

from gradlint.engine import ENGINE_CODES
from snippets import findings

RULES = Path(__file__).resolve().parent.parent / "rules"

#: how each move indents the script, the lines it puts before it, and the lines after it
MOVES = {
    "main-function": ("    ", ["def main():"], ["", "", 'if __name__ == "__main__":', "    main()"]),
    "runner-method": ("        ", ["class Runner:", "    def run(self):"], ["", "", "Runner().run()"]),
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
    """``text`` with its script moved, and the number of lines the move put before the script."""
    start = _script_start(text)
    if start is None:
        return None, 0
    indent, before, after = MOVES[move]
    lines = text.splitlines()
    body = [indent + line if line.strip() else "" for line in lines[start:]]
    return "\n".join(lines[:start] + before + body + after) + "\n", len(before)


def _fixtures():
    for folder in sorted(RULES.glob("GRD*")):
        code = folder.name
        if code in ENGINE_CODES or not (folder / "bad.py").is_file():
            continue
        text = (folder / "bad.py").read_text(encoding="utf-8")
        if _script_start(text) is not None:
            yield code


FIXTURES = list(_fixtures())


def test_most_fixtures_are_scripts_that_can_move():
    assert len(FIXTURES) >= 25


@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("code", FIXTURES)
def test_bad_fixture_reports_the_same_lines_once_moved(code, move):
    text = (RULES / code / "bad.py").read_text(encoding="utf-8")
    start = _script_start(text)
    marked = [n for n, line in enumerate(text.splitlines(), 1) if f"# expect: {code}" in line]
    source, added = moved(text, move)
    expected = [(n + added if n > start else n, code) for n in marked]
    # every rule runs, as for a user (GRD100 judges the other rules' suppressions)
    assert [f for f in findings(source) if f[1] == code] == expected


@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("code", FIXTURES)
def test_good_fixture_stays_silent_once_moved(code, move):
    text = (RULES / code / "good.py").read_text(encoding="utf-8")
    source, _ = moved(text, move)
    if source is None:
        pytest.skip("good.py defines functions after its script")
    assert [f for f in findings(source) if f[1] not in ENGINE_CODES] == []
