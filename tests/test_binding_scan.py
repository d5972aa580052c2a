"""``binds``: whether a statement binds a name, told by a pruned walk that answers as libcst's visitor did."""

from pathlib import Path

import libcst as cst
import pytest

from gradlint.analysis.syntax import dotted, walk
from gradlint.analysis.usage_scans import binds

ROOT = Path(__file__).resolve().parent.parent


class _VisitorOracle(cst.CSTVisitor):
    """The definition ``binds`` answers: targets of assignments, augmented and annotated assignments,
    ``for`` loops and ``:=``, with unpacking, not inside a nested function."""

    def __init__(self, name):
        self.name = name
        self.found = False

    def visit_AssignTarget(self, node):
        self._check(node.target)

    def visit_AugAssign(self, node):
        self._check(node.target)

    def visit_AnnAssign(self, node):
        self._check(node.target)

    def visit_For(self, node):
        self._check(node.target)

    def visit_NamedExpr(self, node):
        self._check(node.target)

    def visit_FunctionDef(self, node):
        return False

    def _check(self, target):
        if isinstance(target, cst.Name) and target.value == self.name:
            self.found = True
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._check(element.value)
        elif isinstance(target, cst.StarredElement):
            self._check(target.value)


def _oracle(node, name):
    if isinstance(node, cst.Expr) and dotted(node.value) is not None:
        return False
    finder = _VisitorOracle(name)
    node.visit(finder)
    return finder.found


SNIPPETS = [
    "x = 1\n",
    "a, (b, *x) = f()\n",
    "[x, y] = z\n",
    "x += 1\n",
    "x: int = 2\n",
    "for x in y:\n    pass\n",
    "for i in y:\n    x = i\n",
    "if (x := f()):\n    pass\n",
    "def g():\n    x = 1\n",
    "class C:\n    x = 1\n",
    "class C:\n    def m(self):\n        x = 1\n",
    "y = [x for x in z]\n",
    "with f() as x:\n    pass\n",
    "x.y = 1\n",
    "x[0] = 1\n",
    "f(lambda: (x := 1))\n",
    "x\n",
    "f(x := 1).y\n",
    "try:\n    pass\nexcept E:\n    x = 2\nelse:\n    x = 3\n",
]


@pytest.mark.parametrize("source", SNIPPETS)
def test_small_statements_answer_as_the_visitor_does(source):
    for stmt in cst.parse_module(source).body:
        for node in [stmt] + list(walk(stmt)):
            for name in ("x", "y", "z", "i"):
                assert binds(node, name) == _oracle(node, name), (source, type(node).__name__, name)


@pytest.mark.parametrize("path", sorted((ROOT / "gradlint" / "analysis").glob("*.py"))[:6])
def test_the_statements_of_real_sources_answer_as_the_visitor_does(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    names = sorted({node.value for node in walk(module) if type(node) is cst.Name})[:25]
    for stmt in [s for s in walk(module) if isinstance(s, (cst.BaseStatement, cst.BaseSmallStatement))][::5]:
        for name in names:
            assert binds(stmt, name) == _oracle(stmt, name)


def test_no_node_is_visited_through_libcst(monkeypatch):
    # libcst's visitor rebuilds every node it passes; asked of every statement after a binding
    # being proven, that was 1.3 % of a lint of timm/models
    def refuse(self, visitor):
        raise AssertionError("visited through libcst")

    monkeypatch.setattr(cst.CSTNode, "visit", refuse)
    stmt = cst.parse_module("for i in range(3):\n    a, x = f(i)\n").body[0]
    assert binds(stmt, "x")
    assert not binds(stmt, "y")
