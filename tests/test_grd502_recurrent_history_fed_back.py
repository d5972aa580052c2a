"""GRD502 and a recurrent state kept in a list that feeds its last element back into the model
(``cI, h = metalearner(inputs, hs[-1]); hs.append(h)``, a meta-learner's LSTM state across the inner
steps of a training loop): each state's graph is part of the next one, so the list holds nothing the
last state does not already keep alive, and ``.detach()`` there would cut the recurrence the outer
loss backpropagates. As for an evaluation loop's recurrence (``evaluation_loops.fed_back``), the
history is carried on purpose; a list of losses the loop does not feed back is still reported."""

from snippets import findings

SOURCE = """
import torch
import torch.nn as nn


class MetaLearner(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(4, 4)

    def forward(self, x, state):
        h, c = self.cell(x, state)
        return h.sum(), (h, c)


def train_learner(learner, metalearner, batches):
    hs = [None]
    history = []
    for x, y in batches:
        loss = ((learner(x) - y) ** 2).mean()
        learner.zero_grad()
        loss.backward()
        grads = torch.cat([p.grad.view(1, -1) for p in learner.parameters()], 1)[:, :4]
        update, state = metalearner(grads, hs[-1])
        hs.append(state)
        KEEP
    return update


learner = nn.Linear(2, 2)
metalearner = MetaLearner()
batches = [(torch.randn(5, 2), torch.randn(5, 2)) for _ in range(3)]
train_learner(learner, metalearner, batches).backward()
"""


def test_a_state_list_fed_back_into_the_model_is_silent():
    assert findings(SOURCE.replace("KEEP", "pass"), "GRD502") == []


def test_a_list_of_losses_is_still_reported():
    assert findings(SOURCE.replace("KEEP", "history.append(update)"), "GRD502") == [(26, "GRD502")]
