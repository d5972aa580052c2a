"""Shapes of corpus15 (held-out training code: segmentation, super-resolution, anomaly detection,
federated learning, GAN metrics) that the analysis misjudged when a file is linted by itself.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case505 = case_maker("GRD505")

# ---- GRD505: a model of a class imported from another file, made and switched to eval mode in one
# expression (`model = Generator(4).eval()`, as a super-resolution test script does), then run over
# a dataset without torch.no_grad(). `model.eval()` on the name was already known to be a model's
# mode switch; the chained form on the freshly made object is the same evidence.

MADE_THEN_EVAL = """\
import torch
from torch.utils.data import DataLoader

from nets import Upscaler

net = Upscaler(scale=4).eval()
net.load_state_dict(torch.load("upscaler.pth"))
scores = []
for low, high in DataLoader(range(8), batch_size=2):
    restored = net(low)  # expect: GRD505
    scores.append(((restored - high) ** 2).mean().item())
"""

MADE_MOVED_THEN_EVAL = """\
import torch

from nets import build_denoiser

device = torch.device("cpu")
denoiser = build_denoiser("small").to(device).eval()
for frame in torch.randn(5, 1, 8, 8):
    clean = denoiser(frame.unsqueeze(0))  # expect: GRD505
    print(clean.abs().max().item())
"""

MADE_THEN_EVAL_UNDER_NO_GRAD = """\
import torch

from nets import Upscaler

net = Upscaler(scale=2).eval()
with torch.no_grad():
    for low in torch.randn(4, 1, 3, 8, 8):
        print(net(low).mean().item())
"""

MADE_THEN_TRAINED = """\
import torch

from nets import Upscaler

net = Upscaler(scale=2).train()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for low, high in zip(torch.randn(4, 1, 3, 8, 8), torch.randn(4, 1, 3, 16, 16)):
    opt.zero_grad()
    loss = ((net(low) - high) ** 2).mean()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize(
    "src, lines",
    [
        case505("made_then_eval", MADE_THEN_EVAL, (10,)),
        case505("made_moved_then_eval", MADE_MOVED_THEN_EVAL, (8,)),
    ],
)
def test_grd505_model_made_and_switched_to_eval_in_one_expression(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize(
    "src", [MADE_THEN_EVAL_UNDER_NO_GRAD, MADE_THEN_TRAINED], ids=["under_no_grad", "made_then_trained"]
)
def test_grd505_model_made_and_switched_negatives(src):
    assert findings(src, "GRD505") == []


# ---- GRD505: an imported model frozen whole with `requires_grad_(False)` before `eval()` (an
# anomaly-detection test script: load the checkpoint, freeze, evaluate). Its outputs on data do not
# require grad: nothing is kept for a backward. `eval()` no longer turns the frozen object back
# into a model with trainable parameters.

FROZEN_THEN_EVAL = """\
import torch

from autoencoder import MemoryAutoEncoder

model = MemoryAutoEncoder(channels=1)
model.load_state_dict(torch.load("ckpt.pt"))
model.requires_grad_(False)
model.to("cpu")
model.eval()
errors = []
for clip in torch.randn(6, 1, 1, 4, 16, 16):
    recon = model(clip)
    errors.append(((recon - clip) ** 2).mean().item())
"""

UNFROZEN_THEN_EVAL = """\
import torch

from autoencoder import MemoryAutoEncoder

model = MemoryAutoEncoder(channels=1)
model.requires_grad_(True)
model.eval()
errors = []
for clip in torch.randn(6, 1, 1, 4, 16, 16):
    recon = model(clip)  # expect: GRD505
    errors.append(((recon - clip) ** 2).mean().item())
"""


def test_grd505_imported_model_frozen_whole_before_eval():
    assert findings(FROZEN_THEN_EVAL, "GRD505") == []


def test_grd505_imported_model_unfrozen_before_eval_still_reported():
    assert findings(UNFROZEN_THEN_EVAL, "GRD505") == [(10, "GRD505")]


# ---- GRD405: a federated-learning client subclassing a base class of another file. The base's
# __init__ built `self.optimizer` over all of `self.model` (not visible when the file is linted by
# itself); the subclass adds an optimizer over the head only and steps both. The head's optimizer
# is not the only one: the rest of the model is covered by the other.

CLIENT_WITH_HEAD_OPTIMIZER = """\
import torch

from clients.base import Client


class HeadClient(Client):
    def __init__(self, model, data):
        super().__init__(model, data)
        self.head_opt = torch.optim.SGD(self.model.head.parameters(), lr=0.01)

    def train(self, epochs):
        self.model.train()
        for _ in range(epochs):
            for x, y in self.loader:
                self.optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(self.model(x), y)
                loss.backward()
                self.optimizer.step()

    def train_head(self, features, labels):
        self.head_opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model.head(features), labels)
        loss.backward()
        self.head_opt.step()
"""

ONLY_HEAD_OPTIMIZER = """\
import torch
import torchvision

model = torchvision.models.resnet18(num_classes=10)
opt = torch.optim.SGD(model.fc.parameters(), lr=0.01)  # expect: GRD405
for x, y in [(torch.randn(2, 3, 32, 32), torch.tensor([1, 2]))]:
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
"""


def test_grd405_other_optimizer_stepped_from_a_base_class():
    assert findings(CLIENT_WITH_HEAD_OPTIMIZER, "GRD405") == []


def test_grd405_single_head_optimizer_still_reported():
    assert findings(ONLY_HEAD_OPTIMIZER, "GRD405") == [(5, "GRD405")]


# ---- GRD502: a callable the file's own backward() proves to be a loss (`loss = self.loss(out, y)`
# then `loss.backward()`), given an element of a model's output (`out, aux = model(x)`,
# `result["output"]`), returns a grad tensor, as a known loss module given that element does. A
# federated-learning client whose base class (another file) built `self.loss`, and a training
# function taking `criterion` as a parameter, keep such losses in their histories.

case502 = case_maker("GRD502")

CLIENT_LOSS_FROM_BASE = """\
import torch.nn.functional as F

from fl.base import Client


class DistillClient(Client):
    def train(self, epochs, teacher_logits=None):
        distill_total, train_total = 0, 0
        for _ in range(epochs):
            self.model.train()
            for x, y in self.loader:
                self.optimizer.zero_grad()
                result = self.model(x)
                output = result["output"]
                if teacher_logits is not None:
                    train_loss = self.loss(output, y)
                    distill = F.kl_div(F.log_softmax(output, 1), teacher_logits[y], reduction="batchmean")
                    train_total += train_loss  # expect: GRD502
                    loss = train_loss + distill
                else:
                    loss = self.loss(output, y)
                loss.backward()
                self.optimizer.step()
        return distill_total, train_total
"""

CRITERION_ON_TUPLE_OUTPUT = """\
def train_epoch(model, loader, criterion, optimizer):
    model.train()
    main_losses = []
    for images, labels in loader:
        optimizer.zero_grad()
        logits, aux_logits = model(images)
        main = criterion(logits, labels)
        aux = criterion(aux_logits, labels)
        total = main + 0.4 * aux
        total.backward()
        optimizer.step()
        main_losses.append(main)  # expect: GRD502
    return main_losses
"""

CRITERION_ITEMS = CRITERION_ON_TUPLE_OUTPUT.replace("main_losses.append(main)  # expect: GRD502", "main_losses.append(main.item())")

UNPROVEN_METRIC_ON_TUPLE_OUTPUT = """\
def train_epoch(model, loader, criterion, metric, optimizer):
    model.train()
    scores = []
    for images, labels in loader:
        optimizer.zero_grad()
        logits, aux_logits = model(images)
        loss = criterion(logits, labels)
        loss.backward()
        optimizer.step()
        scores.append(metric(aux_logits, labels))
    return scores
"""


@pytest.mark.parametrize(
    "src, lines",
    [
        case502("client_loss_from_base", CLIENT_LOSS_FROM_BASE, (18,)),
        case502("criterion_on_tuple_output", CRITERION_ON_TUPLE_OUTPUT, (12,)),
    ],
)
def test_grd502_proven_loss_given_a_model_output_part(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


@pytest.mark.parametrize(
    "src", [CRITERION_ITEMS, UNPROVEN_METRIC_ON_TUPLE_OUTPUT], ids=["items", "unproven_metric"]
)
def test_grd502_proven_loss_negatives(src):
    assert findings(src, "GRD502") == []
