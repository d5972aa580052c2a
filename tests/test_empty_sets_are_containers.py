"""``set()`` and ``frozenset()`` are containers, not tensors: ``names = set()`` then ``names |= other``
(an operand the walk does not know) is a set union, so a later ``names.add(x)`` is the set's own
in-place method, no discarded tensor result (GRD507). The analysis took the union of two unknowns for
a tensor op (gradlint's own return_deps.through_arguments was reported). A tensor's discarded
``h.add(1)`` is still reported."""

from snippets import findings

COLLECT = """\
import torch


def parameter_groups(model, frozen_prefixes):
    names = set()
    for prefix, module in model.named_children():
        if prefix in frozen_prefixes:
            continue
        names |= {prefix + "." + name for name, _ in module.named_parameters()}
        names.add(prefix)
    return names


def seen_shapes(batches):
    shapes = frozenset()
    for batch in batches:
        shapes = shapes | batch.shapes
    return shapes


def merged(first, second):
    keys = set()
    keys |= first.keys()
    keys.update(second)
    keys.add("step")
    return keys
"""


def test_a_union_into_an_empty_set_stays_a_set():
    assert findings(COLLECT, "GRD507") == []


def test_a_tensor_method_result_thrown_away_is_still_reported():
    source = COLLECT + "\n\nh = torch.zeros(3)\nh.add(1)\n"
    assert findings(source, "GRD507") == [(30, "GRD507")]
