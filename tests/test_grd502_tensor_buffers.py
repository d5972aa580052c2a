"""GRD502: a preallocated tensor that takes a graph value in a slot or slice each iteration.

``train_preds[i * bs:(i + 1) * bs] = out`` in a training loop: the write is recorded in the graph
(``CopySlices``), the buffer now requires grad and keeps every iteration's graph until it is made
again (torch 2.13: ``buf[0:8] = model(x)`` leaves ``buf.grad_fn`` a ``CopySlices``).
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,))) for _ in range(10)]
bs = 8
for epoch in range(3):
    train_preds = torch.zeros(len(loader) * bs, 2)
    for i, (x, y) in enumerate(loader):
        out = model(x)
        loss = nn.functional.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        WRITE
    print(train_preds.argmax(1))
"""


def lint(write):
    return findings(PROGRAM.replace("WRITE", write), "GRD502")


def test_a_slice_or_slot_the_loop_moves_keeps_every_graph():
    assert lint("train_preds[i * bs:(i + 1) * bs] = out") == [(16, "GRD502")]
    assert lint("train_preds[i] = out[0]") == [(16, "GRD502")]


def test_detached_values_a_fixed_slot_and_no_grad_are_silent():
    assert lint("train_preds[i * bs:(i + 1) * bs] = out.detach()") == []
    assert lint("train_preds[0:bs] = out") == []  # the same slice each time: one graph kept
    no_grad = "with torch.no_grad():\n            train_preds[i * bs:(i + 1) * bs] = model(x)"
    assert lint(no_grad) == []


def test_a_leaf_that_requires_grad_is_not_a_buffer():
    source = PROGRAM.replace("torch.zeros(len(loader) * bs, 2)", "torch.zeros(len(loader) * bs, 2, requires_grad=True)")
    assert findings(source.replace("WRITE", "train_preds[i * bs:(i + 1) * bs] = out"), "GRD502") == []
