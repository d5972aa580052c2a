"""The value lattice's record: a misspelt field must fail loudly, not become a fact nobody reads."""

import pytest

from gradlint.analysis.values import Value


def test_a_value_built_or_copied_with_an_unknown_field_raises():
    with pytest.raises(TypeError, match="no field 'gard'"):
        Value(kind="tensor", gard=True)
    with pytest.raises(TypeError, match="no field 'gard'"):
        Value(kind="tensor").with_(gard=True)


def test_a_copy_changes_only_the_fields_named_and_compares_by_fields():
    tensor = Value(kind="tensor", grad=True, leaf=True)
    copy = tensor.with_(leaf=False)
    assert (copy.kind, copy.grad, copy.leaf) == ("tensor", True, False)
    assert (tensor.leaf, tensor.is_leaf_grad, copy.is_nonleaf_grad) == (True, True, True)
    assert copy.with_(leaf=True) == tensor and hash(copy.with_(leaf=True)) == hash(tensor)
    assert Value() == Value() and Value() != tensor
