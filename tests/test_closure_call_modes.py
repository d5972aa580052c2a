"""A nested function runs with the train/eval mode its enclosing function's modules have at its calls.

``def held_out_loss(data): ... net(chunk) ...`` defined inside ``fit()``, called before training and
after each epoch, while ``net`` trains; ``net.eval()`` only at the end, before sampling under
``no_grad``. The nested function's own walk saw ``net`` as ``fit`` left it (in eval mode) and
reported GRD505 on its forward, although no call runs it in eval mode (a PixelCNN homework's
``get_test_loss``). Called only after ``net.eval()``, it is reported as before; called in both
modes, the mode is not known; never called there (returned), the final mode stands.
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def fit(train_data, test_data):
    def held_out_loss(data):
        losses = []
        for chunk in torch.split(data, 32):
            out = net(chunk)
            losses.append(out.pow(2).mean().item())
        return sum(losses)

    net = nn.Sequential(nn.Linear(6, 6), nn.Dropout(0.2))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
{before}    for epoch in range(4):
        net.train()
        for chunk in torch.split(train_data, 32):
            opt.zero_grad()
            net(chunk).pow(2).mean().backward()
            opt.step()
{after}    net.eval()
    with torch.no_grad():
        sample = net(torch.zeros(1, 6))
{end}    return sample
"""

BEFORE = "    history = [held_out_loss(test_data)]\n"
IN_TRAIN_MODE = "        print(held_out_loss(test_data))\n"
IN_EVAL_MODE = "        net.eval()\n        print(held_out_loss(test_data))\n"
RETURNED = "    return held_out_loss\n"


def _reported(before="", after="", end=""):
    source = PROGRAM.format(before=before, after=after, end=end)
    return [source.splitlines()[line - 1].strip() for line, _ in findings(source, "GRD505")]


def test_called_only_while_the_model_trains_is_not_an_evaluation_in_eval_mode():
    assert _reported(before=BEFORE, after=IN_TRAIN_MODE) == []


def test_called_after_eval_each_epoch_is_reported():
    assert _reported(after=IN_EVAL_MODE) == ["out = net(chunk)"]


@pytest.mark.parametrize(
    "before,after,end,expected",
    [
        (BEFORE, IN_EVAL_MODE, "", []),  # called in train mode first, then in eval mode: not known
        ("", "", RETURNED, ["out = net(chunk)"]),  # handed back to be called later: the final (eval) mode
    ],
    ids=["both-modes", "returned"],
)
def test_other_calling_patterns(before, after, end, expected):
    assert _reported(before=before, after=after, end=end) == expected
