"""The project modules a training loop calls get the per-file import budget first.

Shape from corpus16 (bubbliiiing/faster-rcnn-pytorch train.py): the script imports a model package
first (whose modules use up ``MAX_LOADS_PER_FILE``), then the trainer whose ``train_step`` the
loop calls; ``total_loss += total`` on the step's graph loss was missed, and found when the two
import lines were swapped.
"""

import textwrap

from gradlint.analysis.imports import MAX_LOADS_PER_FILE
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint(path):
    rules = [rule for rule in ALL_RULES if rule.default_enabled()]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


PART = """\
import torch.nn as nn


class Part{i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)
"""

# a model package that alone uses up the budget: itself and its parts (and a dropout, so that eval()
# changes the model: GRD510 below)
BIG = (
    "import torch.nn as nn\n"
    + "".join(f"from nets.part{i} import Part{i}\n" for i in range(1, MAX_LOADS_PER_FILE + 1))
    + "\n\nclass Big(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    + "        self.parts = nn.Sequential("
    + ", ".join(f"Part{i}()" for i in range(1, MAX_LOADS_PER_FILE + 1))
    + ", nn.Dropout(0.1))\n\n    def forward(self, x):\n        return self.parts(x)\n"
)

TRAINER = """\
import torch


class Trainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer

    def train_step(self, x, y):
        self.optimizer.zero_grad()
        out = self.model(x)
        main = torch.nn.functional.mse_loss(out, y)
        total = main + out.abs().mean()
        total.backward()
        self.optimizer.step()
        return main, total
"""

ENGINE = """\
def train(model, criterion, optimizer, loader):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()


def test(model, loader):
    model.eval()
    correct = 0
    for x, y in loader:
        correct += (model(x).argmax(1) == y).sum().item()
    return correct
"""


def project(tmp_path, main):
    files = {f"nets/part{i}.py": PART.format(i=i) for i in range(1, MAX_LOADS_PER_FILE + 1)}
    files.update({"nets/big.py": BIG, "trainer.py": TRAINER, "engine.py": ENGINE, "train.py": main})
    write(tmp_path, files)
    return tmp_path / "train.py"


def test_the_trainer_a_loop_calls_is_loaded_although_a_model_package_is_imported_first(tmp_path):
    main = """\
    import torch
    from nets.big import Big
    from trainer import Trainer

    model = Big()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, optimizer)


    def fit(loader):
        running = 0
        for x, y in loader:
            main, total = trainer.train_step(x, y)
            running += total  # expect: GRD502
        return running.item() / len(loader)
    """
    assert lint(project(tmp_path, main)) == [(14, "GRD502")]


def test_the_import_order_no_longer_decides(tmp_path):
    main = """\
    import torch
    from trainer import Trainer
    from nets.big import Big

    model = Big()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, optimizer)


    def fit(loader):
        running = 0
        for x, y in loader:
            main, total = trainer.train_step(x, y)
            running += total  # expect: GRD502
        return running.item() / len(loader)
    """
    assert lint(project(tmp_path, main)) == [(14, "GRD502")]


def test_an_evaluation_helper_called_in_the_epoch_loop_is_loaded_after_a_model_package(tmp_path):
    # the helper's `model.eval()`, never undone by `train()`: reported at the loop's call (GRD510)
    main = """\
    import torch
    import torch.nn as nn
    from nets.big import Big
    from engine import train, test

    model = Big()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
    for epoch in range(3):
        train(model, criterion, optimizer, loader)
        accuracy = test(model, loader)  # expect: GRD510
    """
    assert lint(project(tmp_path, main)) == [(12, "GRD510")]


def test_names_called_in_loops_and_what_they_were_made_from():
    from gradlint.analysis.import_priority import loop_names

    import ast

    module = ast.parse(
        textwrap.dedent(
            """\
            from nets import Big, Head
            from trainer import Trainer
            from data import Loader

            model = Big()
            head = Head()
            loader = Loader()
            trainer = Trainer(model)
            for p in model.backbone.parameters():
                p.requires_grad = False
            for x in loader:
                out = trainer.step(x)
            while True:
                head.reset()
            """
        )
    )
    names = loop_names(module)
    # called in a loop body, and the names those were made from
    assert {"trainer", "Trainer", "head", "Head"} <= names
    # only iterated over: `model.backbone.parameters()`, `loader`
    assert not {"model", "Big", "loader", "Loader"} & names
