"""Statements a test runs to see them raise: a kernel test checks that backward() on an output
computed under ``no_grad`` fails (``try: out.backward() except RuntimeError as e: assert "does not
require grad" in str(e)``), or wraps a second backward, an in-place write on a leaf or ``.numpy()``
on a grad tensor in ``with pytest.raises(RuntimeError):`` / ``self.assertRaises(RuntimeError)``.
The RuntimeError GRD103/GRD504/GRD201/GRD503 predict is the one the test asks for. A handler that
swallows the error (``except Exception: pass``), one that asserts nothing of it, or an expected
error of another type (``pytest.raises(ValueError)``) still report.
"""

import pytest

from snippets import findings

HEAD = """\
import pytest
import torch
from torch import nn


"""

CUT = """\
def test_backward_of_a_cut_output(x):
    layer = nn.Linear(4, 1)
    with torch.no_grad():
        out = layer(x).sum()
"""

TWICE = """\
def test_second_backward(x):
    layer = nn.Linear(4, 1)
    out = layer(x).sum()
    out.backward()
"""

LEAF = """\
def test_leaf_written_in_place():
    w = torch.zeros(3, requires_grad=True)
"""

NUMPY = """\
def test_numpy_of_a_grad_tensor(x):
    layer = nn.Linear(4, 1)
    out = layer(x)
"""

RAISING = {
    "GRD103": (CUT, "out.backward()"),
    "GRD504": (TWICE, "out.backward()"),
    "GRD201": (LEAF, "w.add_(1.0)"),
    "GRD503": (NUMPY, "out.numpy()"),
}


def _wrapped(code, wrapper):
    start, statement = RAISING[code]
    return HEAD + start + wrapper.replace("STATEMENT", statement)


EXPECTING = {
    "pytest-raises": "    with pytest.raises(RuntimeError):\n        STATEMENT\n",
    "pytest-raises-match": "    with pytest.raises(RuntimeError, match='grad'):\n        STATEMENT\n",
    "raises-a-tuple": "    with pytest.raises((RuntimeError, TypeError)):\n        STATEMENT\n",
    "try-asserting-the-error": (
        "    try:\n        STATEMENT\n    except RuntimeError as e:\n        assert 'grad' in str(e)\n"
    ),
    "try-exception-asserting": (
        "    try:\n        STATEMENT\n    except Exception as error:\n        assert isinstance(error, RuntimeError)\n"
    ),
}

NOT_EXPECTING = {
    "bare": "    STATEMENT\n",
    "another-error-type": "    with pytest.raises(ValueError):\n        STATEMENT\n",
    "swallowed": "    try:\n        STATEMENT\n    except Exception:\n        pass\n",
    "handler-asserting-nothing-of-it": "    try:\n        STATEMENT\n    except RuntimeError as e:\n        print(e)\n",
    "raising-after-the-block": "    with pytest.raises(RuntimeError):\n        pass\n    STATEMENT\n",
}


@pytest.mark.parametrize("code", sorted(RAISING))
@pytest.mark.parametrize("wrapper", sorted(EXPECTING))
def test_silent_where_a_test_expects_the_error(code, wrapper):
    assert [c for _, c in findings(_wrapped(code, EXPECTING[wrapper]), code)] == []


@pytest.mark.parametrize("code", sorted(RAISING))
@pytest.mark.parametrize("wrapper", sorted(NOT_EXPECTING))
def test_reported_otherwise(code, wrapper):
    assert [c for _, c in findings(_wrapped(code, NOT_EXPECTING[wrapper]), code)] == [code]


UNITTEST = """\
import unittest

import torch
from torch import nn


class TestCut(unittest.TestCase):
    def test_backward_of_a_cut_output(self):
        layer = nn.Linear(4, 1)
        with torch.no_grad():
            out = layer(torch.randn(2, 4)).sum()
        with self.assertRaises(RuntimeError):
            out.backward()
"""


def test_silent_in_assert_raises():
    assert findings(UNITTEST, "GRD103") == []
