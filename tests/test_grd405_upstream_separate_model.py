"""GRD405 for separate models: the one optimizer updates a bottleneck and a decoder trained on the
features of an encoder that only runs in eval mode and is never frozen (reverse distillation,
RD4AD #33): every backward() computes gradients for the encoder's weights, which no optimizer
holds (``encoder.layer[0].weight.grad`` is filled under torch 2.13). Frozen, run under no_grad,
or detached before the trained models see it, the encoder is silent; a loss network downstream of
the trained model (a perceptual loss's feature net) is not a backbone."""

from snippets import findings

DISTILLATION = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())

    def forward(self, x):
        return [self.layer(x)]


def cosine_loss(teacher, student):
    return sum((1 - nn.functional.cosine_similarity(t.flatten(1), s.flatten(1))).mean() for t, s in zip(teacher, student))


encoder = Encoder()
bottleneck = nn.Sequential(nn.Conv2d(8, 8, 1), nn.BatchNorm2d(8))
decoder = nn.Conv2d(8, 8, 3, padding=1)
FREEZE
optimizer = torch.optim.Adam(list(decoder.parameters()) + list(bottleneck.parameters()), lr=5e-3)
for epoch in range(2):
    encoder.eval()
    for img in [torch.randn(2, 3, 16, 16) for _ in range(3)]:
        FEATURES
        outputs = [decoder(bottleneck(inputs[0]))]
        loss = cosine_loss(inputs, outputs)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""


def program(features="inputs = encoder(img)", freeze="pass"):
    return DISTILLATION.replace("FEATURES", features).replace("FREEZE", freeze)


def test_an_unfrozen_encoder_feeding_the_trained_models_is_reported():
    assert findings(program(), "GRD405") == [(22, "GRD405")]


def test_a_frozen_no_grad_or_detached_encoder_is_silent():
    assert findings(program(freeze="encoder.requires_grad_(False)"), "GRD405") == []
    # a freeze meant but misspelt as an attribute of the module: GRD401's finding, not this one's
    assert findings(program(freeze="encoder.requires_grad = False"), "GRD405") == []
    assert findings(program("with torch.no_grad():\n            inputs = encoder(img)"), "GRD405") == []
    assert findings(program("inputs = [f.detach() for f in encoder(img)]"), "GRD405") == []


PERCEPTUAL = """\
import torch
import torch.nn as nn

generator = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1))
features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
features.eval()
optimizer = torch.optim.Adam(generator.parameters(), lr=1e-4)
for low, high in [(torch.randn(2, 3, 16, 16), torch.randn(2, 3, 16, 16))]:
    fake = generator(low)
    loss = (features(fake) - features(high)).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def test_a_loss_network_downstream_of_the_trained_model_is_not_a_backbone():
    assert findings(PERCEPTUAL, "GRD405") == []


LAYERS_OF_ITS_OWN = """\
import torch
import torch.nn as nn


class MultiStage(nn.Module):
    def __init__(self, stages=3):
        super().__init__()
        self.stages = nn.ModuleList([nn.Conv2d(3, 3, 3, padding=1) for _ in range(stages)])

    def forward(self, x):
        outs = []
        for stage in self.stages:
            x = x + stage(x)
            outs.append(x)
        return outs[::-1]


def charbonnier(x, y, eps=1e-3):
    return torch.mean(torch.sqrt((x - y) ** 2 + eps ** 2))


model = MultiStage()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
for target in [torch.rand(2, 3, 8, 8) for _ in range(3)]:
    restored = model(target + 0.1 * torch.randn_like(target))
    loss = sum(charbonnier(r, target) for r in restored)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def test_the_layers_a_model_runs_inside_its_forward_are_not_upstream_of_it():
    assert findings(LAYERS_OF_ITS_OWN, "GRD405") == []
