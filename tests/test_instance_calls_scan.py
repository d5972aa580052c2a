"""The text scan of ``instance_calls``: which names an importer binds to an object of the file's classes."""

import pytest

from gradlint.analysis.instance_calls import instance_called_without_grad

DEFINING = b"import torch\n\nclass BeamSearch:\n    def __call__(self, x):\n        return x\n\nclass Scorer(torch.nn.Module):\n    pass\n"


@pytest.mark.parametrize(
    "binding,called,expected",
    [
        (b"self.beam = BeamSearch(3)", ".beam", True),
        (b"beam = BeamSearch(3)", "beam", True),
        (b"beam=pkg.search.BeamSearch(3)", "beam", True),
        (b"scorer = Scorer()", "scorer", True),
        (b"beam = MyBeamSearch(3)", "beam", False),  # another class, whose name ends like it
        (b"beam == BeamSearch(3)", "beam", False),  # a comparison binds nothing
        (b"beam = wrap + BeamSearch(3)", "beam", False),  # not the object itself
        (b"beam = BeamSearch(3)", "other", False),  # the object is not the one called under no_grad
    ],
)
def test_bound_objects_called_under_no_grad(binding, called, expected):
    caller = b"from .search import BeamSearch, Scorer\n\ndef run():\n    " + binding + b"\n"
    assert instance_called_without_grad(DEFINING, [caller], lambda index: {called}) is expected


def test_a_file_without_classes_is_never_called_so():
    assert instance_called_without_grad(b"def f():\n    pass\n", [b"x = f()\n"], lambda index: {"x"}) is False
