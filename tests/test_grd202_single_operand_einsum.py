"""GRD202 and ``torch.einsum`` of one operand: a trace, a diagonal, a transpose or a sum
(``torch.einsum("bii->b", a)``) is linear in its operand, so its backward needs none of its values and
saves nothing; an in-place write to the operand afterwards backpropagates fine (checked with torch 2.13
for "ij->ji", "ii->", "bij->b", "bjj->b" and the list form). A mincut pooling layer taking the trace of
the pooled adjacency, then zeroing its diagonal in place, was reported. With two operands each one is
saved for the other's gradient: the write raises there and is still reported."""

import pytest

from snippets import findings

SOURCE = """
import torch


def pool(s, adjacency):
    pooled = torch.matmul(torch.matmul(s.transpose(1, 2), adjacency), s)
    cut = EINSUM
    index = torch.arange(pooled.size(-1))
    pooled[:, index, index] = 0
    return pooled, cut


s = torch.randn(2, 6, 3, requires_grad=True)
adjacency = torch.rand(2, 6, 6)
pooled, cut = pool(s, adjacency)
(pooled.sum() + cut.sum()).backward()
"""


@pytest.mark.parametrize(
    "einsum",
    [
        'torch.einsum("bjj->b", pooled)',
        'torch.einsum("bij->bji", pooled)',
        'torch.einsum("bij->b", [pooled])',
    ],
)
def test_one_operand_saves_nothing(einsum):
    assert findings(SOURCE.replace("EINSUM", einsum), "GRD202") == []


def test_two_operands_save_each_other():
    src = SOURCE.replace("EINSUM", 'torch.einsum("bij,bjk->bik", pooled, pooled)')
    assert findings(src, "GRD202") == [(9, "GRD202")]
