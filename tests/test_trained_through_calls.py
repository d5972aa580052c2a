"""GRD405 when the model trains inside a ``train(model, loader, optimizer)`` of another file: the
file that built ``optimizer = SGD(model.fc.parameters())`` never calls the model itself, the call
of ``train`` does, with gradients (``analysis/call_forwards``).

Our own two-file projects, shaped like fine-tuning repositories with ``main.py`` and
``engine.py``; the negatives are the correct look-alikes.
"""

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc(self.backbone(x))
"""

ENGINE = """\
import torch
import torch.nn.functional as F


def train_one_epoch(model, loader, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
"""

MAIN = """\
import torch

from engine import train_one_epoch
from model import Net


def main(loader, epochs):
    model = Net()
    optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
    for epoch in range(epochs):
        train_one_epoch(model, loader, optimizer)
"""

MAIN_FROZEN_FIRST = """\
import torch

from engine import train_one_epoch
from model import Net


def main(loader, epochs):
    model = Net()
    model.backbone.requires_grad_(False)
    optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
    for epoch in range(epochs):
        train_one_epoch(model, loader, optimizer)
"""

MAIN_EVALUATES_ONLY = """\
import torch

from engine import evaluate
from model import Net


def main(loader):
    model = Net()
    optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
    print(evaluate(model, loader))
    return optimizer
"""

MAIN_WHOLE_MODEL = """\
import torch

from engine import train_one_epoch
from model import Net


def main(loader, epochs):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        train_one_epoch(model, loader, optimizer)
"""

MAIN_HEAD_ONLY = """\
import torch

from engine import train_one_epoch
from model import Net


def main(loader, epochs):
    model = Net()
    optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
    for epoch in range(epochs):
        train_one_epoch(model.fc, loader, optimizer)
"""


def _lint(root, main):
    forget_projects()
    files = {"model.py": MODEL, "engine.py": ENGINE, "main.py": main}
    for name, text in files.items():
        (root / name).write_text(text)
    found = []
    for name in sorted(files):
        path = root / name
        found += [(name, f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), list(ALL_RULES))]
    return [f for f in sorted(found) if f[2] == "GRD405"]


def test_optimizer_over_the_head_of_a_model_trained_in_another_file(tmp_path):
    assert _lint(tmp_path, MAIN) == [("main.py", 9, "GRD405")]


def test_silent_when_the_backbone_is_frozen_first(tmp_path):
    assert _lint(tmp_path, MAIN_FROZEN_FIRST) == []


def test_silent_when_the_other_file_only_evaluates(tmp_path):
    assert _lint(tmp_path, MAIN_EVALUATES_ONLY) == []


def test_silent_when_the_optimizer_covers_the_model(tmp_path):
    assert _lint(tmp_path, MAIN_WHOLE_MODEL) == []


def test_silent_when_only_the_head_is_run(tmp_path):
    assert _lint(tmp_path, MAIN_HEAD_ONLY) == []


MAIN_DATA_PARALLEL = """\
import torch

from engine import train_one_epoch
from model import Net


def main(loader, epochs):
    model = torch.nn.DataParallel(Net())
    optimizer = torch.optim.SGD(PARAMS, lr=0.1)
    for epoch in range(epochs):
        train_one_epoch(model, loader, optimizer)
"""


def test_the_module_of_a_data_parallel_model_is_all_of_it(tmp_path):
    # `model.module` of a DataParallel wrapper is the wrapped model, not a part (pytorch-unet-segmentation)
    assert _lint(tmp_path, MAIN_DATA_PARALLEL.replace("PARAMS", "model.module.parameters()")) == []


def test_a_part_of_the_wrapped_model_is_still_a_part(tmp_path):
    source = MAIN_DATA_PARALLEL.replace("PARAMS", "model.module.fc.parameters()")
    assert _lint(tmp_path, source) == [("main.py", 9, "GRD405")]
