"""``losses = [None] * n_steps`` with ``n_steps`` a parameter nothing passes: a list display repeated by
a count not known to be a number is still a list, so ``losses[step] = loss`` in the training loop
keeps a graph per slot (GRD502). Keeping ``loss.item()`` there is fine."""

from snippets import findings

TRAIN = """\
import torch.nn as nn


def train(model, loader, optimizer, n_steps):
    losses = [None] * n_steps
    for step in range(n_steps):
        x, y = loader[step]
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses[step] = loss
    return losses
"""


def test_slots_of_a_repeated_display_keep_graphs():
    assert findings(TRAIN, "GRD502") == [(12, "GRD502")]


def test_slots_holding_numbers_keep_none():
    assert findings(TRAIN.replace("losses[step] = loss", "losses[step] = loss.item()"), "GRD502") == []


def test_a_repeated_display_on_the_right():
    src = TRAIN.replace("[None] * n_steps", "n_steps * [None]")
    assert findings(src, "GRD502") == [(12, "GRD502")]
