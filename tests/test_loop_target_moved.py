"""A loop's own target rebound from itself does not chain one iteration's graph to the next.

``for batch in loader: batch = {k: v.to(device) for k, v in batch.items()}`` (the usual
Hugging Face fine-tuning loop) moves this iteration's batch; the ``for`` binds the next one
afresh. GRD502's test for a differentiable unroll (``x = x + update`` fed to the next step, whose
sum of losses is the meta-loss a caller backpropagates) must not take it for one, or
``tr_loss += loss`` in that loop goes unreported.
"""

import pytest

from snippets import findings

TRAIN = """\
import torch


def train(model, loader, optimizer, epochs):
    tr_loss = 0.0
    for epoch in range(epochs):
        model.train()
        for batch in loader:
            MOVE
            outputs = model(**batch)
            loss = outputs.loss
            loss.backward()
            tr_loss += loss
            optimizer.step()
            optimizer.zero_grad()
    return tr_loss
"""


@pytest.mark.parametrize(
    "move",
    [
        "batch = {k: v.to('cuda') for k, v in batch.items()}",
        "batch = dict(batch)",
        "batch = {key: value.cuda(non_blocking=True) for key, value in batch.items() if key != 'idx'}",
    ],
)
def test_a_moved_batch_is_no_unroll(move):
    assert findings(TRAIN.replace("MOVE", move), "GRD502") == [(13, "GRD502")]


def test_a_state_carried_across_iterations_is_still_an_unroll():
    # a learned optimiser: `params` is rebound from itself and fed to the next step's loss; the
    # sum of the unroll's losses is the meta-loss its caller backpropagates
    src = """\
import torch


def unroll(params, loader, steps, opt_net):
    meta_loss = 0
    for x, y in loader:
        loss = ((x @ params - y) ** 2).mean()
        grads = torch.autograd.grad(loss, params, create_graph=True)[0]
        params = params + opt_net(grads)
        meta_loss += loss
        loss.backward(retain_graph=True)
    return meta_loss
"""
    assert findings(src, "GRD502") == []
