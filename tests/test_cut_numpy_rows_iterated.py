"""Rows and items of a numpy array taken out of a graph tensor (``for row in out.detach().numpy()``)
are plain values cut out of that graph, as the array is: a score summed from them and wrapped back
into a tensor has no graph, and its backward() raises "element 0 of tensors does not require grad"
(checked with torch 2.13). Rows of a tensor that still carries its graph keep it."""

from snippets import findings

_TRAIN = """\
import torch
import torch.nn as nn


def train(model, loader, optimizer):
    for images, targets in loader:
        optimizer.zero_grad()
        scores = model(images)
        total = 0.0
        for row in {rows}:
            total += row.max()
        loss = {loss}
        loss.backward()
        optimizer.step()


model = nn.Linear(4, 3)
train(model, [(torch.randn(2, 4), torch.rand(2))], torch.optim.SGD(model.parameters(), lr=0.1))
"""

NUMPY_ROWS = _TRAIN.format(rows="scores.detach().cpu().numpy()", loss="torch.tensor(total)")
TENSOR_ROWS = _TRAIN.format(rows="scores", loss="total / len(scores)")


def test_rows_of_a_detached_numpy_array_are_cut():
    assert findings(NUMPY_ROWS, "GRD103") == [(13, "GRD103")]


def test_rows_of_a_graph_tensor_keep_the_graph():
    assert findings(TENSOR_ROWS, "GRD103") == []
