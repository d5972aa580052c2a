"""A function that declares ``global losses``, starts it afresh and appends to it fills the module's list.

``global_stores._filled_paths`` discounted names the function binds unless it declares them
``global``, but the ``global`` statements were never found (``OwnNodes`` did not index
``cst.Global``), so such a function counted as filling a local list of its own: ``np.mean(losses)``
after it, on the grad losses it appended, raises "Can't call numpy() on Tensor that requires grad"
(GRD503) unreported.
"""

import pytest

from snippets import findings

PROGRAM = """\
import numpy as np
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []


def train_epoch(loader):
    DECLARE
    losses = []
    for x, y in loader:
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(ADDED)


data = [(torch.randn(2, 4), torch.randn(2, 1))]
for epoch in range(3):
    train_epoch(data)
    print(np.mean(losses))
"""


def program(declare="global losses", added="loss"):
    return PROGRAM.replace("DECLARE", declare).replace("ADDED", added)


def test_global_list_refilled_with_grad_losses_then_converted():
    assert findings(program(), "GRD503") == [(24, "GRD503")]


@pytest.mark.parametrize(
    "declare,added",
    [
        ("global losses", "loss.item()"),  # numbers: np.mean is fine
        ("pass", "loss"),  # a local list of its own: the module's list stays empty
    ],
)
def test_numbers_or_a_local_list_are_silent(declare, added):
    assert findings(program(declare, added), "GRD503") == []
