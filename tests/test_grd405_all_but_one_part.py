"""GRD405 for an optimizer over every parameter of a model but one part's,
``set(model.parameters()).difference(model.encoder.parameters())`` (seasonal-contrast #6: nothing
freezes the encoder, so every backward() still computes its gradients for no optimizer). Freezing
that part, or a difference with another model's parameters, is not this.
"""

from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)

HEAD = """\
import torch
import torch.nn as nn


class SiamNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Conv2d(3, 8, 3, padding=1)
        self.decoder = nn.Conv2d(16, 1, 1)

    def forward(self, a, b):
        return self.decoder(torch.cat([self.encoder(a), self.encoder(b)], dim=1))


def train(loader, lr=1e-3):
    model = SiamNet()
"""

LOOP = """\
    for a, b, mask in loader:
        loss = (model(a, b) - mask).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


train([(torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8), torch.rand(2, 1, 8, 8))])
"""

POSITIVES = [
    case(
        "set-difference-leaves-the-encoder-out",
        HEAD
        + """\
    params = set(model.parameters()).difference(model.encoder.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)  # expect: GRD405
"""
        + LOOP,
        [18],
    ),
    case(
        "set-subtraction-inline",
        HEAD
        + """\
    optimizer = torch.optim.Adam(set(model.parameters()) - set(model.encoder.parameters()), lr=lr)  # expect: GRD405
"""
        + LOOP,
        [17],
    ),
]


NEGATIVES = [
    case(
        "encoder-frozen-first",
        HEAD
        + """\
    model.encoder.requires_grad_(False)
    params = set(model.parameters()).difference(model.encoder.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
"""
        + LOOP,
    ),
    case(
        "difference-with-another-models-parameters",
        HEAD
        + """\
    teacher = SiamNet()
    params = set(model.parameters()).difference(teacher.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
"""
        + LOOP,
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
