"""A helper that freezes the model it is given when asked and wraps it with a new head when asked
(finetuner's ``freeze=True`` without ``output_dim``): for a call that asks only for the freeze, the
wrapping arm never runs, so the model comes back frozen whole and nothing trains (GRD407). The
same helper asked for a head too, or not asked to freeze, leaves something trainable."""

from snippets import findings

FIT = """\
import torch
import torch.nn as nn


def freeze_and_attach(model, freeze=False, output_dim=None):
    if freeze:
        for param in model.parameters():
            param.requires_grad = False
    if output_dim is not None:
        model = nn.Sequential(model, nn.Linear(4, output_dim))
    return model


def fit(model, data, freeze=False, output_dim=None):
    model = freeze_and_attach(model, freeze=freeze, output_dim=output_dim)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x in data:
        optimizer.zero_grad()
        loss = model(x).sum()
        loss.backward()
        optimizer.step()


fit(nn.Linear(3, 4), [torch.rand(2, 3)], CALL)
"""


def test_a_freeze_asked_for_without_a_head_leaves_nothing_trainable():
    assert findings(FIT.replace("CALL", "freeze=True")) == [(8, "GRD407")]


def test_a_head_asked_for_too_is_trainable():
    assert findings(FIT.replace("CALL", "freeze=True, output_dim=2")) == []


def test_no_freeze_asked_for_trains_the_model():
    assert findings(FIT.replace("CALL", "output_dim=2")) == []
    assert findings(FIT.replace("CALL", "freeze=False")) == []
