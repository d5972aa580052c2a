"""Whether an imported module defines a class on given bases, found from each ``class`` in its text."""

import re
from pathlib import Path

import pytest

from gradlint.analysis.inherited_no_grad import defines_class

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [path.read_bytes() for path in sorted((ROOT / "gradlint").rglob("*.py"))[:60]]
EDGES = [
    b"",
    b"class A: pass\n",
    b"  \tclass   Base(object):\n",
    b"x = 1; class Base: pass\n",
    b"# class Base\n",
    b"subclass Base\n",
    b"class Basement:\n",
    b"\nclass\tBase\n",
    b"class\nBase\n",
    b"classBase\n",
    b"\r\nclass Base:\r\n",
    b"\rclass Base:\r",
    b"foo class Base\nclass Other\n",
    b"    class Base_(nn.Module):\n",
    b"class",
]


def _by_regex(data: bytes, names) -> bool:
    alternatives = b"|".join(re.escape(name) for name in names)
    return re.search(rb"^[ \t]*class[ \t]+(?:" + alternatives + rb")\b", data, re.M) is not None


@pytest.mark.parametrize("names", [[b"Base"], [b"Base", b"Other"], [b"Module"], [b"Rule", b"Value"], [b"Analyzer"]])
def test_it_answers_as_the_line_anchored_search(names):
    named = re.compile(rb"[ \t]+(?:" + b"|".join(re.escape(name) for name in names) + rb")\b")
    for data in EDGES + TEXTS:
        assert defines_class(data, named) == _by_regex(data, names), data[:60]
