"""Shapes of corpus_threads (training code rewritten from public bug threads) that the analysis
missed when each file is linted alone.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case401 = case_maker("GRD401")
case502 = case_maker("GRD502")
case503 = case_maker("GRD503")

# ---- a loss from a module annotated ``nn.Module`` (its output may be a tuple), then
# ``loss.backward()``: only a tensor has backward(), so the loss is a tensor that requires grad
# (a course's ``train_step(model: nn.Module, ..., loss_fn: nn.Module, ...)`` summing its losses).

ANNOTATED_LOSS_MODULE = """\
import torch
from torch import nn


def train_step(model: nn.Module, batches, loss_fn: nn.Module, optimizer: torch.optim.Optimizer):
    model.train()
    running, seen = 0, 0
    for inputs, targets in batches:
        scores = model(inputs)
        loss = loss_fn(scores, targets)
        running += loss  # expect: GRD502
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += 1
    running = running / seen
    return running
"""

ANNOTATED_LOSS_MODULE_ITEM = ANNOTATED_LOSS_MODULE.replace("running += loss  # expect: GRD502", "running += loss.item()")

# the backward() is conditional: nothing is proven about `loss` where it is accumulated
ANNOTATED_LOSS_MODULE_MAYBE_BACKWARD = """\
from torch import nn


def run_epoch(model: nn.Module, batches, loss_fn: nn.Module, optimizer, train: bool):
    running = 0
    for inputs, targets in batches:
        loss = loss_fn(model(inputs), targets)
        running += loss
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return running
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case502("loss-of-annotated-module-backpropagated", ANNOTATED_LOSS_MODULE, (11,)),
        case502("item-accumulated", ANNOTATED_LOSS_MODULE_ITEM),
        case502("backward-only-in-a-branch", ANNOTATED_LOSS_MODULE_MAYBE_BACKWARD),
    ],
)
def test_grd502_backward_proves_a_module_output_is_a_tensor(src, lines):
    assert findings(src, "GRD502") == [(line, "GRD502") for line in lines]


# ---- a constructor's reporting walk sees the arguments the file's constructor calls give it:
# ``PFATrainer(UNet())`` makes ``self.model`` the UNet, whose ``outc`` is a layer.

TRAINER_GIVEN_A_MODEL = """\
import torch
import torch.nn as nn


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.inc = nn.Conv2d(1, 8, 3, padding=1)
        self.outc = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        return self.outc(self.inc(x))


class PFATrainer:
    def __init__(self, model, lr=1e-3):
        self.model = model
        self.model.outc.requires_grad = False  # expect: GRD401
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)


def main():
    trainer = PFATrainer(UNet())
    return trainer


main()
"""

# `scale` is a Parameter: setting its requires_grad is the right way to freeze it
TRAINER_GIVEN_A_PARAMETER_OWNER = """\
import torch
import torch.nn as nn


class Scaler(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * self.scale


class Trainer:
    def __init__(self, model):
        self.model = model
        self.model.scale.requires_grad = False


Trainer(Scaler())
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case401("constructor-given-a-model-of-the-file", TRAINER_GIVEN_A_MODEL, (18,)),
        case401("constructor-given-a-model-whose-field-is-a-parameter", TRAINER_GIVEN_A_PARAMETER_OWNER),
    ],
)
def test_grd401_constructor_contexts(src, lines):
    assert findings(src, "GRD401") == [(line, "GRD401") for line in lines]


# ---- an instance built in the file keeps what its methods store in a field: ``learn()`` appends
# each loss to ``self.cost_his`` (which ``__init__`` made empty), ``plot_cost()`` plots it.

AGENT = """\
import matplotlib.pyplot as plt
import torch
import torch.nn as nn


class Agent:
    def __init__(self, n_features, n_actions, lr=0.01):
        self.net = nn.Linear(n_features, n_actions)
        self.optimizer = torch.optim.RMSprop(self.net.parameters(), lr=lr)
        self.cost_his = []

    def learn(self, x, y):
        loss = nn.functional.mse_loss(self.net(x), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.cost_his.append(LOSS)

    def plot_cost(self):
        plt.plot(range(len(self.cost_his)), self.cost_his)


agent = Agent(4, 2)
for _ in range(10):
    agent.learn(torch.randn(8, 4), torch.randn(8, 2))
agent.plot_cost()
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case503(
            "instance-plots-the-losses-a-method-appended",
            AGENT.replace("LOSS", "loss").replace("self.cost_his)\n", "self.cost_his)  # expect: GRD503\n"),
            (20,),
        ),
        case503("instance-plots-numbers", AGENT.replace("LOSS", "loss.item()")),
    ],
)
def test_grd503_instance_fields_stored_by_methods(src, lines):
    assert findings(src, "GRD503") == [(line, "GRD503") for line in lines]


# ---- every parameter of ``self.model`` frozen by the constructor, then a method backpropagates a
# loss computed only through it: nothing is trainable ("element 0 of tensors does not require grad").

case407 = case_maker("GRD407")

FROZEN_BY_CONSTRUCTOR = """\
import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc(self.encoder(x).flatten(1))


class Trainer:
    def __init__(self, lr):
        self.model = Detector()
        for p in self.model.parameters():
            p.requires_grad = False  # expect: GRD407
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr)
        self.loss_fn = nn.BCEWithLogitsLoss()

    def optimize(self, images, labels):
        logits = self.model(images).view(-1)
        loss = self.loss_fn(logits, labels)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
"""

# another method unfreezes part of the model before training may run
UNFROZEN_BY_ANOTHER_METHOD = FROZEN_BY_CONSTRUCTOR.replace("  # expect: GRD407", "") + """
    def unfreeze_head(self):
        for p in self.model.fc.parameters():
            p.requires_grad = True
"""

# the constructor replaces the head after the freeze: the new layer trains
HEAD_REPLACED_AFTER_FREEZE = FROZEN_BY_CONSTRUCTOR.replace("  # expect: GRD407", "").replace(
    "        self.optimizer = torch.optim.AdamW(", "        self.model.fc = nn.Linear(8, 1)\n        self.optimizer = torch.optim.AdamW("
)

# an adversarial step: the input perturbation requires grad, the frozen model only scores it
PERTURBATION = FROZEN_BY_CONSTRUCTOR.replace("  # expect: GRD407", "").replace(
    "        logits = self.model(images).view(-1)",
    "        delta = torch.zeros_like(images, requires_grad=True)\n        logits = self.model(images + delta).view(-1)",
)


@pytest.mark.parametrize(
    "src,lines",
    [
        case407("model-frozen-by-the-constructor-trained-by-a-method", FROZEN_BY_CONSTRUCTOR, (19,)),
        case407("another-method-unfreezes-the-head", UNFROZEN_BY_ANOTHER_METHOD),
        case407("head-replaced-after-the-freeze", HEAD_REPLACED_AFTER_FREEZE),
        case407("input-perturbation-requires-grad", PERTURBATION),
    ],
)
def test_grd407_frozen_by_constructor(src, lines):
    assert findings(src, "GRD407") == [(line, "GRD407") for line in lines]


# ---- a validation at the end of each epoch that restores the training mode inside its no_grad
# block (`with torch.no_grad(): model.eval(); acc = evaluate(...); model.train()`): the method call
# `model.train()` does not make the file's `def train(...)` a function called without gradients.

TRAIN_WITH_VALIDATION_BLOCK = """\
import torch
from models import TextNet
from losses import LabelSmoothing


def evaluate(model, data):
    hits = 0
    for x, y in data:
        hits += (model(x).argmax(1) == y).sum().item()
    return hits


def train(model, criterion, optimizer, data, test_data):
    for epoch in range(10):
        epoch_loss = 0
        for x, y in data:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += loss{mark}
        with torch.no_grad():
            model.eval()
            evaluate(model, test_data)
            model.train()
        print(epoch, epoch_loss / len(data))


model = TextNet(100, 5)
train(model, LabelSmoothing(), torch.optim.Adam(model.parameters()), [], [])
"""


def test_training_function_with_a_validation_restoring_train_mode_under_no_grad():
    src = TRAIN_WITH_VALIDATION_BLOCK.format(mark="  # expect: GRD502")
    assert findings(src, "GRD502") == [(21, "GRD502")]


def test_training_function_called_under_no_grad_stays_silent():
    src = TRAIN_WITH_VALIDATION_BLOCK.format(mark="").replace(
        "train(model, LabelSmoothing()", "with torch.no_grad():\n    train(model, LabelSmoothing()"
    )
    assert findings(src, "GRD502") == []
