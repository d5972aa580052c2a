"""GRD510 and a normalizing flow whose layers read no mode (a Glow-like model: activation
normalisation, an invertible 1x1 convolution, affine couplings of convolutions, chained by a
subclass of ``nn.Sequential`` that iterates ``for module in self``). ``eval()`` changes nothing in
it, so a sampling helper that leaves it in eval mode inside the training loop trains it the same.
What kept it from being known mode-free: a base ``nn.Sequential`` (only ``nn.Module`` was plain), a
parameter ``x`` read as the module-level ``x`` it shadows (so ``x.chunk(2, 1)`` looked like a call
on an unknown object), ``kwargs.pop(...)``, ``math.log(...)``, a method of a tensor method's
result, and ``for module in self``. A coupling with dropout still reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

PROGRAM = """\
import math

import torch
import torch.nn as nn


class Actnorm(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1, channels))
        self.bias = nn.Parameter(torch.zeros(1, channels))

    def forward(self, x):
        return x * self.scale + self.bias, self.scale.abs().log().sum().expand(x.size(0))


class Invertible(nn.Module):
    def __init__(self, channels):
        super().__init__()
        w = torch.linalg.qr(torch.randn(channels, channels))[0]
        self.w = nn.Parameter(w.unsqueeze(0).squeeze(0).contiguous())

    def forward(self, x):
        return x @ self.w, torch.slogdet(self.w)[1].expand(x.size(0))


class Coupling(nn.Module):
    def __init__(self, channels, width):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(channels // 2, width), nn.ReLU(), {extra}nn.Linear(width, channels))

    def forward(self, x):
        a, b = x.chunk(2, 1)
        log_s, t = self.net(b).chunk(2, 1)
        s = torch.sigmoid(log_s + 2.0)
        return torch.cat([a * s + t, b], 1), s.log().sum(1) - math.log(1.0)


class FlowSequential(nn.Sequential):
    def __init__(self, *layers, **kwargs):
        self.checkpoint = kwargs.pop("checkpoint", False)
        super().__init__(*layers)

    def forward(self, x):
        total = 0.0
        for module in self:
            x, logdet = module(x)
            total = total + logdet
        return x, total


class Flow(nn.Module):
    def __init__(self, channels=4, width=16, depth=2):
        super().__init__()
        self.steps = FlowSequential(
            *[FlowSequential(Actnorm(channels), Invertible(channels), Coupling(channels, width)) for _ in range(depth)]
        )

    def forward(self, x):
        return self.steps(x)

    def log_prob(self, x):
        z, logdet = self(x)
        return -0.5 * (z ** 2).sum(1) + logdet


def sample(model, n):
    model.eval(){mark}
    with torch.no_grad():
        return model.steps[0][0].bias.expand(n, -1)


def train(model, loader, optimizer):
    model.train()
    for i, x in enumerate(loader):
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i % 2 == 0:
            print(sample(model, 4).shape)


x = torch.randn(8, 4)
flow = Flow()
train(flow, [x, x * 2, x * 3], torch.optim.Adam(flow.parameters(), lr=1e-3))
"""

POSITIVES = [
    case("coupling_with_dropout", PROGRAM.format(extra="nn.Dropout(0.2), ", mark="  # expect: GRD510"), lines=(68,)),
]

NEGATIVES = [
    case("flow_of_layers_reading_no_mode", PROGRAM.format(extra="", mark="")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
