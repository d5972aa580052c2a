"""Finding positions are computed from the code generated up to the node, not from the whole module's."""

import glob
import os

import libcst
import pytest

from gradlint.positions import Positions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SOURCES = {
    "no final newline": "x = 1\ny = f(x)",
    "windows newlines": "import torch\r\nif x:\r\n    y = x  # c\r\n\r\nz = 2\r\n",
    "old mac newlines": "a = 1\rb = [\r  1,\r]\r",
    "decorators": "@dec\n@other(1)\ndef f(a, *, b=2):\n    x = 1; y = 2\n    return (x +\n            y)\n",
    "comments and blank lines": "# head\n\n\nclass A:  # tail\n\n    # inner\n    def g(self):\n        pass\n# end\n",
    "trailing comment lines": "x = 1\n# one\n\n# two",
    "only a comment": "# nothing\n",
}


def _all_nodes(module):
    found = []
    stack = [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _generated_whole(module):
    positions = Positions(module)
    positions.get(module)  # the module's own range: every statement generated
    return positions


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_node_asked_first_has_the_range_it_has_once_all_is_generated(name):
    module = libcst.parse_module(SOURCES[name])
    whole = _generated_whole(module)
    for node in _all_nodes(module):
        assert Positions(module).get(node) == whole.get(node), node


def test_nodes_asked_in_any_order_on_real_sources():
    paths = sorted(glob.glob(os.path.join(ROOT, "gradlint", "analysis", "*.py")))[:6]
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            module = libcst.parse_module(handle.read())
        whole = _generated_whole(module)
        nodes = _all_nodes(module)[::37]
        forward, backward = Positions(module), Positions(module)
        assert [forward.get(node) for node in nodes] == [whole.get(node) for node in nodes]
        assert [backward.get(node) for node in reversed(nodes)] == [whole.get(node) for node in reversed(nodes)]


def test_a_node_of_the_first_function_generates_none_of_the_later_ones(monkeypatch):
    module = libcst.parse_module("def a(x):\n    return x + 1\n\n\ndef b(y):\n    return y\n\n\ndef c(z):\n    return z\n")
    generated = []
    real = libcst.FunctionDef._codegen_impl

    def counting(self, state, **kwargs):
        generated.append(self.name.value)
        return real(self, state, **kwargs)

    monkeypatch.setattr(libcst.FunctionDef, "_codegen_impl", counting)
    first_return = module.body[0].body.body[0].body[0]
    where = Positions(module).get(first_return.value)
    assert (where.start.line, where.start.column, where.end.line, where.end.column) == (2, 11, 2, 16)
    assert generated == ["a"]


def test_a_line_end_split_between_two_statements_is_one_line_end():
    # `\r` ending one statement and `\n` starting the next: in the generated text they are one
    # line end, as when the whole module is generated before any position is asked
    first = libcst.SimpleStatementLine(
        [libcst.Expr(libcst.Name("a"))], trailing_whitespace=libcst.TrailingWhitespace(newline=libcst.Newline("\r"))
    )
    second = libcst.SimpleStatementLine(
        [libcst.Expr(libcst.Name("b"))], leading_lines=[libcst.EmptyLine(newline=libcst.Newline("\n"))]
    )
    module = libcst.Module(body=[first, second])
    assert module.code == "a\r\nb\n"
    whole = _generated_whole(module)
    for node in (first, first.body[0].value, first.trailing_whitespace, first.trailing_whitespace.newline, second):
        assert Positions(module).get(node) == whole.get(node)
    assert Positions(module).get(second.body[0].value).start.line == 2
