"""Modules whose constructor freezes them (a vendored FID feature extractor, a perceptual-loss
network): the freeze belongs to the object, wherever it goes.

corpus15 (StyleMapGAN metrics/fid.py, linted with its repository): pytorch-fid's InceptionV3 ends its
``__init__`` with ``for param in self.parameters(): param.requires_grad = requires_grad``
(``requires_grad=False`` by default); the script builds it as
``nn.DataParallel(load_patched_inception_v3())`` and runs it over a data loader after ``eval()``.
The freeze was replayed only on a name bound to the constructor call itself, so through the
helper's return and the wrapper the model was taken to train (GRD505 reported).

A freeze of the whole object covers the parameters that exist when it runs: a head added after it
trains (the ``Classifier`` below), which made GRD407 report a model that trains its head.

Our own snippets, each a complete program.
"""

import pytest

from snippets import case_maker, findings

case505 = case_maker("GRD505")

EXTRACTOR = """\
import torch
import torch.nn as nn


class Extractor(nn.Module):
    def __init__(self, sizes=(4,), trainable=False):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, s) for s in sizes])
        for weight in self.parameters():
            weight.requires_grad = trainable

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return [x]


def build_extractor(trainable=False):
    made = Extractor([4], trainable=trainable)
    return made


def collect(net, batches):
    feats = []
    for x in batches:
        f = net(x)[0].view(x.shape[0], -1)
        feats.append(f.to("cpu"))
    return torch.cat(feats, 0)


"""

HELPER_RETURNS_FROZEN = EXTRACTOR + """\
net = build_extractor()
net.eval()
stats = collect(net, [torch.randn(2, 4)]).numpy()
"""

WRAPPED_FROZEN = EXTRACTOR + """\
net = nn.DataParallel(Extractor([4])).to("cpu")
net.eval()
stats = collect(net, [torch.randn(2, 4)]).numpy()
"""

WRAPPED_HELPER_FROZEN = EXTRACTOR + """\
net = nn.parallel.DistributedDataParallel(build_extractor(), device_ids=[0])
net.module.eval()
stats = collect(net.module, [torch.randn(2, 4)]).numpy()
"""

HELPER_RETURNS_TRAINABLE = EXTRACTOR + """\
net = nn.DataParallel(build_extractor(trainable=True))
net.eval()
feats = []
for x in [torch.randn(2, 4)]:
    f = net(x)[0]  # expect: GRD505
    feats.append(f.sum().item())
"""

PERCEPTUAL_NO_ARGUMENTS = """\
import torch
import torch.nn as nn


class Perceptual(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
        for weight in self.parameters():
            weight.requires_grad = False

    def forward(self, x):
        return self.body(x)


def features(net, batches):
    kept = []
    for x in batches:
        kept.append(net(x))
    return torch.cat(kept, 0)


net = nn.DataParallel(Perceptual())
net.eval()
print(features(net, [torch.randn(2, 4)]).numpy().shape)
"""

HEAD_AFTER_FREEZE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        for p in self.parameters():
            p.requires_grad = False
        self.fc = nn.Linear(4, n)

    def forward(self, x):
        return self.fc(self.backbone(x))


def train(data):
    model = Classifier(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in data:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    preds = []
    for x, y in data:
        preds.append(model(x).argmax(1))  # expect: GRD505
    return preds
"""

FROZEN_WHOLE_THEN_TRAINED = """\
import torch
import torch.nn as nn


class Frozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.requires_grad_(False)

    def forward(self, x):
        return self.fc(x)


def fit(batches):
    model = Frozen()  # expect: GRD407
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x in batches:
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
"""


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(HELPER_RETURNS_FROZEN, id="helper_returns_frozen"),
        pytest.param(WRAPPED_FROZEN, id="data_parallel_of_frozen"),
        pytest.param(WRAPPED_HELPER_FROZEN, id="ddp_of_helper_then_module"),
        pytest.param(PERCEPTUAL_NO_ARGUMENTS, id="frozen_without_constructor_arguments"),
    ],
)
def test_a_module_its_constructor_froze_stays_frozen(src):
    assert [f for f in findings(src) if f[1] in ("GRD502", "GRD503", "GRD505")] == []


@pytest.mark.parametrize(
    "src, lines",
    [
        case505("helper_returns_trainable", HELPER_RETURNS_TRAINABLE, (35,)),
        case505("head_added_after_the_freeze", HEAD_AFTER_FREEZE, (29,)),
    ],
)
def test_grd505_model_not_frozen_whole(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


def test_grd407_silent_when_a_head_is_added_after_the_freeze():
    assert findings(HEAD_AFTER_FREEZE, "GRD407") == []


def test_grd407_still_reports_a_model_its_constructor_froze_whole():
    # reported at the freeze (threads' 756720e): here the constructor call that froze the model
    assert findings(FROZEN_WHOLE_THEN_TRAINED, "GRD407") == [(16, "GRD407")]
