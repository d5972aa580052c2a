"""``w1 = torch.randn(n, m, requires_grad=True).type(dtype)`` with ``dtype = torch.cuda.FloatTensor``
(HandsOnDeepLearningWithPytorch#2, the numpy-like fizzbuzz): the CPU leaf is copied to the GPU, the
name holds the copy (GRD302) and each ``w1.grad`` of the manual update is None (GRD301). Converting to
the CPU type the tensor already has (``torch.FloatTensor`` of a float32 CPU tensor) returns the very
same leaf: no finding."""

from snippets import findings

FIZZBUZZ = """\
import torch

dtype = DTYPE

w1 = torch.randn(10, 4, requires_grad=True).type(dtype)

for epoch in range(3):
    x = torch.randn(16, 10).type(dtype)
    loss = x.matmul(w1).sum()
    loss.backward()
    with torch.no_grad():
        w1 -= 0.01 * w1.grad
        w1.grad.zero_()
"""


def test_a_leaf_copied_to_a_cuda_tensor_type_is_lost():
    codes = findings(FIZZBUZZ.replace("DTYPE", "torch.cuda.FloatTensor"))
    assert (5, "GRD302") in codes
    assert (12, "GRD301") in codes and (13, "GRD301") in codes


def test_the_cpu_type_it_already_has_keeps_the_leaf():
    codes = [code for _, code in findings(FIZZBUZZ.replace("DTYPE", "torch.FloatTensor"))]
    assert "GRD302" not in codes and "GRD301" not in codes
