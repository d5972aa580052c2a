"""A script picks its network by the dataset it runs on, ``model = MnistNet()`` in one arm and
``model = CifarNet()`` in another, and calls methods of the class beside ``forward``
(``model.embed(x)``). After the branch ``model`` is an instance of one of those classes, not known
which: its methods run on each (``Value.choices``, as for a model taken from a registry of classes),
and what they do is known. Here both run their layers after ``model.eval()`` in an evaluation loop
without ``no_grad`` (GRD505); in train mode, or under ``no_grad``, nothing is reported."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

SRC = """\
import torch
import torch.nn as nn


class MnistNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU())
        self.head = nn.Linear(64, 10)

    def embed(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.embed(x))


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(16, 10)

    def embed(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.embed(x))


def embeddings(model, loader):
    model.eval()
    found = []
    for x, _ in loader:
        found.append(model.embed(x).detach().cpu())  # expect: GRD505
    return torch.cat(found)


def run(dataset, loader):
    if dataset == "mnist":
        model = MnistNet()
    elif dataset == "cifar10":
        model = CifarNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    return embeddings(model, loader)
"""

POSITIVES = [case("method_of_one_of_two_classes_after_eval", SRC, lines=(35,))]

NEGATIVES = [
    case(
        "left_in_train_mode",
        SRC.replace("    model.eval()\n", "").replace("  # expect: GRD505", ""),
    ),
    case(
        "under_no_grad",
        SRC.replace("    for x, _ in loader:\n        found", "    with torch.no_grad():\n        for x, _ in loader:\n            found").replace("  # expect: GRD505", ""),
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
