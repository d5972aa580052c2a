"""A value cut out of the graph stays cut through a list display given to an op
(``torch.cat([noise, hidden])`` with ``hidden`` computed under no_grad: the list's joined element is
not cut, its ``hidden`` is) and through a string option (``F.mse_loss(pred, noise, reduction="mean")``:
a string carries no graph). Brian6091/Dreambooth#23: the text encoder ran under no_grad, the UNet was
frozen, and ``loss.requires_grad = True`` silenced the error (GRD102); without it backward raises
(GRD103). Concatenated with a tensor that carries the graph, the result is not cut."""

from snippets import findings

_TRAIN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def main(steps):
    text_encoder = nn.Sequential(nn.Embedding(100, 32), nn.Linear(32, 32))
    unet = nn.Sequential(nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 32))
    unet.requires_grad_(False)
    optimizer = torch.optim.AdamW(text_encoder.parameters(), lr=1e-4)
    for step in range(steps):
        ids = torch.randint(0, 100, (4, 7))
        noise = torch.randn(4, 32)
{encode}
        model_pred = unet(torch.cat([noise, hidden], dim=-1))
        loss = F.mse_loss(model_pred, noise{options})
{flag}
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
"""

_CUT = """\
        with torch.no_grad():
            hidden = text_encoder(ids).mean(1)"""
_GRAPH = """\
        hidden = text_encoder(ids).mean(1)"""
_FLAG = "        loss.requires_grad = True"


def test_flag_on_a_loss_cut_inside_a_list_display():
    assert findings(_TRAIN.format(encode=_CUT, options="", flag=_FLAG), "GRD102") == [(18, "GRD102")]


def test_flag_on_a_loss_with_a_string_option():
    src = _TRAIN.format(encode=_CUT, options=', reduction="mean"', flag=_FLAG)
    assert findings(src, "GRD102") == [(18, "GRD102")]


def test_backward_on_a_loss_cut_inside_a_list_display():
    src = _TRAIN.format(encode=_CUT, options=', reduction="mean"', flag="")
    assert findings(src, "GRD103") == [(19, "GRD103")]


def test_list_with_a_graph_tensor_is_not_cut():
    src = _TRAIN.format(encode=_GRAPH, options=', reduction="mean"', flag="")
    assert findings(src, "GRD102", "GRD103") == []
