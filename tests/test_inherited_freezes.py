"""GRD406 across functions: a freeze made by the caller, undone by the callee's unfreeze of every
parameter before its own training, is reported at the callee's ``p.requires_grad = True`` (the
line that undoes it), not at the call; the caller stays silent about the replayed unfreeze.

Our own snippets, each a complete program (shaped like fine-tuning scripts whose ``main()`` freezes
a pretrained backbone and hands the model to ``train(model, ...)``); the negatives are the correct
look-alikes: gradual unfreezing after training, a rebound model, an unfreeze under a condition.
"""

import pytest

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES
from snippets import _marked, case_maker, findings

_case = case_maker("GRD406")


def case(case_id, src, lines=None):
    """A snippet whose reported lines are its markers (checked against ``lines`` when given)."""
    return _case(case_id, src, _marked(src, "GRD406") if lines is None else lines)

HEAD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.backbone(x))

"""

POSITIVES = [
    case(
        "train-function-unfreezes-with-requires-grad-underscore",
        HEAD
        + """
def train(model, loader, epochs):
    model.requires_grad_(True)  # expect: GRD406
    optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()))
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()


def main(loader):
    model = Net()
    for p in model.backbone.parameters():
        p.requires_grad = False
    train(model, loader, 3)
""",
    ),
    case(
        "through-a-runner-function",
        HEAD
        + """
def train(net, loader):
    for param in net.parameters():
        param.requires_grad = True  # expect: GRD406
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(net(x), y).backward()
        optimizer.step()


def run(model, loader):
    train(model, loader)


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    run(model, loader)
""",
    ),
    case(
        "two-calls-one-report",
        HEAD
        + """
def train(model, loader):
    for p in model.parameters():
        p.requires_grad = True  # expect: GRD406
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader, other):
    model = Net()
    model.backbone.requires_grad_(False)
    train(model, loader)
    second = Net()
    second.backbone.requires_grad_(False)
    train(second, other)
""",
    ),
    case(
        # a helper that only unfreezes, called before the caller's own loop: the call is the mistake
        "unfreeze-helper-reported-at-the-call",
        HEAD
        + """
def unfreeze(model):
    for p in model.parameters():
        p.requires_grad = True


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    unfreeze(model)  # expect: GRD406
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
""",
    ),
]

NEGATIVES = [
    case(
        # gradual unfreezing: the head trains first, then fine-tuning unfreezes everything
        "finetune-after-head-training",
        HEAD
        + """
def finetune(model, loader):
    model.requires_grad_(True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    head_optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
    for x, y in loader:
        head_optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        head_optimizer.step()
    finetune(model, loader)
""",
    ),
    case(
        # the callee trains the head, then unfreezes for its second phase
        "two-phases-inside-the-callee",
        HEAD
        + """
def train(model, loader):
    optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    for p in model.parameters():
        p.requires_grad = True
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    train(model, loader)
""",
    ),
    case(
        "model-rebound-before-the-call",
        HEAD
        + """
def train(model, loader):
    model.requires_grad_(True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    model = Net()
    train(model, loader)
""",
    ),
    case(
        "unfreeze-under-a-flag",
        HEAD
        + """
def train(model, loader, finetune_all):
    if finetune_all:
        model.requires_grad_(True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    train(model, loader, True)
""",
    ),
    case(
        # the teacher is frozen; the callee unfreezes the student it trains
        "another-argument-frozen",
        HEAD
        + """
def distill(student, teacher, loader):
    student.requires_grad_(True)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        with torch.no_grad():
            target = teacher(x)
        F.mse_loss(student(x), target).backward()
        optimizer.step()


def main(loader):
    teacher = Net()
    teacher.backbone.requires_grad_(False)
    distill(Net(), teacher, loader)
""",
    ),
    case(
        # the callee makes the head trainable, which the caller did not freeze
        "callee-unfreezes-the-head-only",
        HEAD
        + """
def train(model, loader):
    model.head.requires_grad_(True)
    optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    train(model, loader)
""",
    ),
]


@pytest.mark.parametrize("src,lines", POSITIVES)
def test_reported_at_the_unfreeze(src, lines):
    assert [f for f in findings(src) if f[1] == "GRD406"] == [(line, "GRD406") for line in lines]


@pytest.mark.parametrize("src,lines", NEGATIVES)
def test_silent(src, lines):
    assert [f for f in findings(src) if f[1] == "GRD406"] == []


TRAINING = HEAD + """
def train(model, loader):
    for p in model.parameters():
        p.requires_grad = True
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
"""

MAIN = """\
from training import Net, train


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    train(model, loader)
"""

MAIN_AFTER_HEAD_TRAINING = """\
import torch
import torch.nn.functional as F

from training import Net, train


def main(loader):
    model = Net()
    model.backbone.requires_grad_(False)
    optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    train(model, loader)
"""


def _lint(root, files):
    forget_projects()
    for name, text in files.items():
        (root / name).write_text(text)
    found = []
    for name in sorted(files):
        path = root / name
        found += [(name, f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), list(ALL_RULES))]
    return [f for f in sorted(found) if f[2] == "GRD406"]


def test_across_files_reported_in_the_training_module(tmp_path):
    assert _lint(tmp_path, {"training.py": TRAINING, "main.py": MAIN}) == [("training.py", 18, "GRD406")]


def test_across_files_silent_after_the_caller_trained(tmp_path):
    assert _lint(tmp_path, {"training.py": TRAINING, "main.py": MAIN_AFTER_HEAD_TRAINING}) == []
