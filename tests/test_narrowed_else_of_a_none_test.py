"""The ``else`` of ``if state is None or use_random_iter:`` (d2l's RNN training loop, ``state = None``
before the loop, the model's ``(H,)`` tuple after each iteration): the ``is None`` disjunct is false
there, so ``state`` is the tuple, and ``for s in state: s.detach()`` drops each detached copy
(GRD507). The in-place ``s.detach_()`` of the fixed loop is silent."""

from snippets import findings

TRAIN = """\
import torch
import torch.nn.functional as F


def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    (H,) = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        outputs.append(H)
    return torch.cat(outputs, dim=0), (H,)


def train_epoch(params, train_iter, use_random_iter=False):
    state = None
    for X, Y in train_iter:
        if state is None or use_random_iter:
            state = (torch.zeros(X.shape[1], 4),)
        else:
            for s in state:
                DETACH
        y_hat, state = rnn(X, state, params)
        l = F.mse_loss(y_hat, Y)
        l.backward()


params = [torch.randn(3, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True), torch.zeros(4, requires_grad=True)]
train_epoch(params, [(torch.randn(5, 2, 3), torch.randn(10, 4)) for _ in range(3)])
"""


def test_the_else_of_an_is_none_test_holds_the_tuple():
    assert (22, "GRD507") in findings(TRAIN.replace("DETACH", "s.detach()"))


def test_the_in_place_detach_is_silent():
    assert "GRD507" not in [code for _, code in findings(TRAIN.replace("DETACH", "s.detach_()"))]
