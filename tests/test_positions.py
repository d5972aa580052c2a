"""Finding positions are libcst's PositionProvider ranges, computed at a fraction of its cost."""

import glob
import os

import libcst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from gradlint.positions import Positions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRICKY = {
    "no final newline": "x = 1\ny = f(x)",
    "windows newlines": "import torch\r\nif x:\r\n    y = x  # c\r\n\r\nz = 2\r\n",
    "old mac newlines": "a = 1\rb = [\r  1,\r]\r",
    "semicolons and decorators": "@dec\n@other(1)\ndef f(a, *, b=2):\n    x = 1; y = 2\n    return (x +\n            y)\n",
    "strings and continuations": 's = """one\ntwo"""\nt = f"{s!r:>10}" \\\n    + "x"\n',
    "comments and blank lines": "# head\n\n\nclass A:  # tail\n\n    # inner\n    def g(self):\n        pass\n# end\n",
    "tabs and unicode": "def f():\n\tprint('héllo ✓')\n\treturn 1\n",
    "form feed": "x = 1\n\x0c\ny = 2\n",
    "empty": "",
    "only a comment": "# nothing\n",
}


def same_as_provider(source: str) -> None:
    module = libcst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    assert {node: positions.get(node) for node in expected} == dict(expected)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_sources(name):
    same_as_provider(TRICKY[name])


def test_some_of_the_repository_own_sources():
    files = sorted(glob.glob(os.path.join(ROOT, "gradlint", "*.py")))
    assert files
    for path in files[::4]:
        with open(path, encoding="utf-8", newline="") as handle:
            same_as_provider(handle.read())


def test_a_node_of_another_tree_has_no_position():
    positions = Positions(libcst.parse_module("x = 1\n"))
    assert positions.get(libcst.parse_module("x = 1\n").body[0]) is None
