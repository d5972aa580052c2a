"""An index only an array takes proves that a model output of unknown structure is one tensor.

``q = self.Q(s)[:, a]``, ``logits = model(x)[..., -1]``, ``model(x)[None]``: no tuple, list or dict
takes several dimensions, ``...`` or ``None`` as an index, so the output of a trained model of
unknown class is a tensor and the part picked carries its graph (DQN agents whose network class
lives in another file: ``losses.append(loss)`` over ``q_values[:, action]``).
"""

import pytest

from snippets import findings

TRAINING = """\
import torch
from nets import QNet

q_net = QNet(4, 2)
optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-3)
history = []
for step in range(1000):
    state = torch.randn(8, 4)
    PICK
    loss = (q - 1.0).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    history.append(USE)
"""


def program(pick, use="q"):
    return TRAINING.replace("PICK", pick).replace("USE", use)


@pytest.mark.parametrize(
    "pick",
    [
        "q = q_net(state)[:, 0]",
        "q = q_net(state)[..., 1]",
        "q = q_net(state)[0, 1]",
        "q = q_net(state)[None]",
    ],
)
def test_an_array_index_picks_a_part_that_carries_the_graph(pick):
    assert findings(program(pick), "GRD502") == [(14, "GRD502")]


@pytest.mark.parametrize(
    "pick,use",
    [
        # one index: a tuple's element as much as a tensor's row, the part stays unknown
        ("q = q_net(state)[0]", "q"),
        ("q = q_net(state)[step % 2]", "q"),
        # a slice of a tuple is a tuple
        ("q = q_net(state)[1:]", "q"),
        # the part detached, or indexed under no_grad
        ("q = q_net(state)[:, 0].detach()", "q"),
        ("q = q_net(state)[:, 0]", "q.item()"),
    ],
)
def test_other_indexes_and_detached_parts_stay_silent(pick, use):
    assert findings(program(pick, use), "GRD502") == []


def test_an_array_index_under_no_grad_carries_no_graph():
    source = program("PICK").replace(
        "    PICK\n", "    with torch.no_grad():\n        q = q_net(state)[:, 0]\n"
    )
    assert findings(source, "GRD502") == []


def test_a_rewrap_of_an_array_indexed_part_cuts_the_graph():
    source = """\
import torch
from nets import QNet

q_net = QNet(4, 2)
optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-3)
for step in range(1000):
    state = torch.randn(8, 4)
    q = q_net(state)[:, 0]
    loss = torch.tensor((q - 1.0).pow(2).mean(), requires_grad=True)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""
    assert findings(source, "GRD102") == [(9, "GRD102")]
