"""An optimizer over several parts of one model (``Adam(list(model.decoder.parameters()) +
list(model.bn.parameters()))``, RD4AD #33, or the same as parameter groups) while the model's encoder
is only put in ``eval()``, never frozen: every backward() still computes the encoder's gradients
(GRD405). Parts that cover the whole model, or an encoder frozen first, are silent."""

from snippets import findings

DISTILL = """\
import torch
import torch.nn as nn


class ReverseDistillation(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 8)
        self.bn = nn.Linear(8, 8)
        self.decoder = nn.Linear(8, 8)

    def forward(self, x):
        feats = self.encoder(x)
        return feats, self.decoder(self.bn(feats))


def train():
    model = ReverseDistillation()
    FREEZE
    optimizer = torch.optim.Adam(PARAMS, lr=5e-3)
    for _ in range(3):
        model.encoder.eval()
        feats, rec = model(torch.randn(2, 8))
        loss = (feats - rec).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


train()
"""

PARTS = "list(model.decoder.parameters()) + list(model.bn.parameters())"
GROUPS = '[{"params": model.decoder.parameters()}, {"params": model.bn.parameters()}]'


def _codes(params, freeze="pass"):
    return findings(DISTILL.replace("PARAMS", params).replace("FREEZE", freeze))


def test_two_parts_of_a_model_run_whole_leave_the_rest_unfrozen():
    assert (20, "GRD405") in _codes(PARTS)
    assert (20, "GRD405") in _codes(GROUPS)


def test_parts_covering_the_whole_model_are_silent():
    every = PARTS + " + list(model.encoder.parameters())"
    assert "GRD405" not in [code for _, code in _codes(every)]


def test_an_encoder_frozen_first_is_silent():
    freeze = "model.encoder.requires_grad_(False)"
    assert "GRD405" not in [code for _, code in _codes(PARTS, freeze)]
