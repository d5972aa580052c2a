"""GRD510 in trainer classes: ``self.model.eval()`` in ``validate()``, called by the epoch loop of
``train()``/``fit()``, with no ``self.model.train()`` before the next epoch's training forward.

Two gaps: (1) a model handed in from outside (``self.model = model``, the trainer built in another
file or nowhere) was not known to be a model in ``train_epoch()``, so its training forward was not
seen; a field that a method of the class switches with ``.eval()`` and calls is one
(``analysis/switched_fields``). (2) an optimizer built by the caller
(``Trainer(model, Adam(model.parameters()))``) is owned by a path in the caller's names, which
says nothing inside the trainer's methods: the rule falls back to the model the loop runs.

Our own snippets, shaped like the trainer classes of public training repositories; the negatives
are the correct look-alikes. Also, shapes of plain scripts that were already reported (a global
model switched by ``test()``, a ``DataParallel`` wrapper) are kept here as regression guards.
"""

import pytest

from snippets import _marked, case_maker, rule_tests

_case = case_maker("GRD510")


def case(case_id, src):
    return _case(case_id, src, _marked(src, "GRD510"))


TRAINER_HANDED_A_MODEL = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, optimizer, train_loader, val_loader):
        self.model = model
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.CrossEntropyLoss()

    def train_epoch(self):
        {restore_in_epoch}
        for x, y in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()

    def validate(self):
        self.model.eval(){marker}
        with torch.no_grad():
            total = sum(self.criterion(self.model(x), y).item() for x, y in self.val_loader)
        {restore_after}
        return total

    def fit(self, epochs):
        for epoch in range(epochs):
            self.train_epoch()
            print(epoch, self.validate())
"""

TRAINER_GIVEN_ITS_OPTIMIZER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, optimizer, train_loader, val_loader):
        self.model = model
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.CrossEntropyLoss()

    def validate(self):
        self.model.eval(){marker}
        with torch.no_grad():
            return sum(self.criterion(self.model(x), y).item() for x, y in self.val_loader)

    def train(self, epochs):
        for epoch in range(epochs):
            {restore_in_epoch}
            for x, y in self.train_loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
            print(epoch, self.validate())


if __name__ == "__main__":
    model = nn.Sequential(nn.Linear(10, 32), nn.Dropout(0.2), nn.Linear(32, 2))
    trainer = Trainer(model, torch.optim.Adam(model.parameters()), [], [])
    trainer.train(5)
"""

DISTILLER = """\
import torch
import torch.nn.functional as F


class Distiller:
    def __init__(self, student, teacher, optimizer, loader):
        self.student = student
        self.teacher = teacher
        self.optimizer = optimizer
        self.loader = loader

    def fit(self, epochs):
        for epoch in range(epochs):
            self.teacher.eval()
            for x, y in self.loader:
                with torch.no_grad():
                    soft = self.teacher(x)
                self.optimizer.zero_grad()
                loss = F.kl_div(F.log_softmax(self.student(x), 1), F.softmax(soft, 1), reduction="batchmean")
                loss.backward()
                self.optimizer.step()
"""

GLOBAL_MODEL_TEST_FUNCTION = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

device = "cuda" if torch.cuda.is_available() else "cpu"
net = nn.Sequential(nn.Linear(32, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 10)).to(device)
if device == "cuda":
    net = torch.nn.DataParallel(net)
optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
trainloader = [(torch.randn(8, 32), torch.randint(0, 10, (8,))) for _ in range(4)]


def train(epoch):
    for inputs, targets in trainloader:
        optimizer.zero_grad()
        loss = F.cross_entropy(net(inputs.to(device)), targets.to(device))
        loss.backward()
        optimizer.step()


def test(epoch):
    net.eval(){marker}
    with torch.no_grad():
        correct = sum(net(x.to(device)).argmax(1).eq(y.to(device)).sum().item() for x, y in trainloader)
    print(epoch, correct)


for epoch in range(20):
    {restore_in_epoch}
    train(epoch)
    test(epoch)
"""

MARK = "  # expect: GRD510"


def _fill(template, marker="", restore_in_epoch="pass", restore_after="pass"):
    return template.format(marker=marker, restore_in_epoch=restore_in_epoch, restore_after=restore_after)


POSITIVES = [
    case("trainer-handed-a-model", _fill(TRAINER_HANDED_A_MODEL, MARK)),
    case("trainer-given-its-optimizer", _fill(TRAINER_GIVEN_ITS_OPTIMIZER, MARK)),
    case("global-model-switched-by-test", _fill(GLOBAL_MODEL_TEST_FUNCTION, MARK)),
]

NEGATIVES = [
    case("trainer-epoch-starts-in-train-mode", _fill(TRAINER_HANDED_A_MODEL, restore_in_epoch="self.model.train()")),
    case("trainer-validate-restores", _fill(TRAINER_HANDED_A_MODEL, restore_after="self.model.train()")),
    case("given-optimizer-epoch-restores", _fill(TRAINER_GIVEN_ITS_OPTIMIZER, restore_in_epoch="self.model.train()")),
    case("teacher-kept-in-eval-mode", DISTILLER),
    case("global-model-restored-each-epoch", _fill(GLOBAL_MODEL_TEST_FUNCTION, restore_in_epoch="net.train()")),
]

test_fires, test_silent = rule_tests("GRD510", POSITIVES, NEGATIVES)
