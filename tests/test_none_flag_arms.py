"""``if output_dim:`` on a parameter the call left at its ``None`` default never runs: only the
other arm does, as for ``if output_dim is not None:``. A helper that freezes the backbone it is
given and attaches a head only when asked (``if output_dim:``) returns, when not asked, a model
with nothing to train (GRD407 at its freeze); asked for a head, or given a number, the head trains."""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def as_encoder(backbone, output_dim=None, freeze=False):
    if freeze:
        for weight in backbone.parameters():
            weight.requires_grad = False
    if output_dim:
        backbone = nn.Sequential(backbone, nn.ReLU(), nn.Linear(32, output_dim))
    return backbone


def main():
    encoder = as_encoder(nn.Linear(10, 32), CALL)
    optimizer = torch.optim.SGD(encoder.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        codes = encoder(torch.randn(16, 10))
        loss = codes.pow(2).mean()
        loss.backward()
        optimizer.step()


main()
"""


def test_a_head_left_at_its_none_default_is_never_attached():
    assert findings(PROGRAM.replace("CALL", "freeze=True"), "GRD407") == [(8, "GRD407")]
    assert findings(PROGRAM.replace("CALL", "output_dim=None, freeze=True"), "GRD407") == [(8, "GRD407")]


def test_a_head_asked_for_trains():
    assert findings(PROGRAM.replace("CALL", "output_dim=4, freeze=True"), "GRD407") == []
    assert findings(PROGRAM.replace("CALL", "4, True"), "GRD407") == []


def test_an_unknown_head_size_may_attach_one():
    source = PROGRAM.replace("def main():", "def main(size):").replace("CALL", "output_dim=size, freeze=True")
    assert findings(source.replace("main()\n", "main(int(input()))\n"), "GRD407") == []


def test_no_freeze_asked_for():
    assert findings(PROGRAM.replace("CALL", "freeze=False"), "GRD407") == []
