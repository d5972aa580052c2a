"""Freezes written as a loop over a display of a model's members (``for module in (model.stem,
model.layer1): for p in module.parameters(): p.requires_grad = False``) are freezes of those
members: the loop is walked once per member (``member_loops``). A later unconditional unfreeze of
every parameter of the model before training undoes them (GRD406); an unfreeze of the head only,
or one after training, does not."""

from snippets import findings

_MODEL = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(4, 4)
        self.layer1 = nn.Linear(4, 4)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.layer1(self.stem(x)))


def main(freeze_early):
    model = Net()
    if freeze_early:
{freeze}
{before}
    optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
    for x in [torch.randn(2, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
{after}
"""

_LOOP_FREEZE = """\
        for module in (model.stem, model.layer1):
            for p in module.parameters():
                p.requires_grad = False"""

_CALL_FREEZE = """\
        for module in [model.stem, model.layer1]:
            module.requires_grad_(False)"""

_UNFREEZE_ALL = """\
    for param in model.parameters():
        param.requires_grad = True"""


def test_unfreeze_of_everything_undoes_a_freeze_over_members():
    src = _MODEL.format(freeze=_LOOP_FREEZE, before=_UNFREEZE_ALL, after="")
    assert findings(src, "GRD406") == [(23, "GRD406")]


def test_requires_grad_call_on_each_member_is_undone_too():
    src = _MODEL.format(freeze=_CALL_FREEZE, before="    model.requires_grad_(True)", after="")
    assert findings(src, "GRD406") == [(21, "GRD406")]


def test_unfreezing_only_the_head_keeps_the_members_frozen():
    src = _MODEL.format(freeze=_LOOP_FREEZE, before="    model.fc.requires_grad_(True)", after="")
    assert findings(src, "GRD406") == []


def test_unfreeze_after_training_is_gradual_unfreezing():
    src = _MODEL.format(freeze=_LOOP_FREEZE, before="", after=_UNFREEZE_ALL)
    assert findings(src, "GRD406") == []


def test_members_frozen_leave_the_head_trainable():
    # the loop froze two members, not the model: nothing says every parameter is frozen (GRD407)
    src = _MODEL.format(freeze=_LOOP_FREEZE, before="", after="")
    assert findings(src) == []
