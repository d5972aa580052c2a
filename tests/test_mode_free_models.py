"""GRD510 is about layers that read the mode (dropout, batch-norm...): a model of a class built only
of layers that do not, left in eval mode in its training loop, trains as before and is not reported;
a class whose layers are not all known keeps the report."""

import textwrap

import pytest

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from tests.snippets import findings

LOOP = """\

model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(16, 8), torch.randn(16, 2)
for epoch in range(3):
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        print(F.mse_loss(model(x), y).item())
"""
EVAL_LINE = 14  # `model.eval()` in LOOP, after the imports and the class

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def program(cls: str) -> str:
    cls = textwrap.dedent(cls)
    text = HEADER + cls + LOOP
    return text


def eval_line(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.strip() == "model.eval()")


PLAIN = """\

class Net(nn.Module):
    def __init__(self, hidden=16, depth=2):
        super().__init__()
        layers = nn.Sequential(*(nn.Linear(8, hidden), nn.ReLU(inplace=True)))
        for index in range(depth - 1):
            layers.add_module(f"fc{index}", nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU()))
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        x = x.contiguous().view(x.size(0), 8)
        return self.head(self.features(x))
"""


def test_a_model_without_mode_dependent_layers_is_not_reported():
    assert findings(program(PLAIN), "GRD510") == []


@pytest.mark.parametrize(
    "change",
    [
        ("nn.ReLU(inplace=True)", "nn.Dropout(0.5)"),
        ("self.head = nn.Linear(hidden, 2)", "self.head = nn.Sequential(nn.BatchNorm1d(hidden), nn.Linear(hidden, 2))"),
        ("return self.head(self.features(x))", "return self.head(F.dropout(self.features(x), 0.2, self.training))"),
        ("return self.head(self.features(x))", "h = self.features(x)\n        return self.head(h if self.training else h.clamp(0))"),
        ("self.head = nn.Linear(hidden, 2)", "self.head = make_head(hidden)"),
        ("self.head = nn.Linear(hidden, 2)", "self.head = nn.LSTM(hidden, 2, dropout=0.1)"),
    ],
    ids=["dropout", "batch-norm", "functional dropout", "reads self.training", "layer of a helper", "recurrent"],
)
def test_a_model_with_a_layer_that_reads_the_mode_or_an_unknown_one_is_reported(change):
    cls = PLAIN.replace(*change)
    assert cls != PLAIN
    helper = "\ndef make_head(width):\n    return nn.Sequential(nn.Linear(width, 2))\n" if "make_head" in cls else ""
    text = program(helper + cls)
    assert findings(text, "GRD510") == [(eval_line(text), "GRD510")]


def test_a_plain_subclass_of_a_base_with_dropout_is_reported():
    base = "\nclass Base(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.drop = nn.Dropout(0.3)\n"
    text = program(base + PLAIN.replace("class Net(nn.Module)", "class Net(Base)"))
    assert findings(text, "GRD510") == [(eval_line(text), "GRD510")]


def test_a_plain_class_on_a_library_base_is_reported():
    # a library's base class may add layers of its own: not known to be mode-free
    text = "from transformers import PreTrainedModel\n" + program(PLAIN.replace("class Net(nn.Module)", "class Net(nn.Module, PreTrainedModel)"))
    assert findings(text, "GRD510") == [(eval_line(text), "GRD510")]


def test_a_plain_class_with_a_torch_free_mixin_of_the_file_is_not_reported():
    mixin = "\nclass Features:\n    def get_features(self, x):\n        return self.features(x)\n"
    text = program(mixin + PLAIN.replace("class Net(nn.Module)", "class Net(nn.Module, Features)"))
    assert findings(text, "GRD510") == []


def test_a_plain_class_on_an_unread_base_of_the_project_is_not_reported(tmp_path):
    # avalanche's `_PlainMLP(nn.Module, BaseModel)`: the base comes through a torch-free __init__ that
    # re-exports it, so it is project code left unread; its layers are not assumed
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("from .base import BaseModel\n")
    (tmp_path / "models" / "base.py").write_text("import torch\n\n\nclass BaseModel:\n    def get_features(self, x):\n        return x\n")
    text = "from models import BaseModel\n" + program(PLAIN.replace("class Net(nn.Module)", "class Net(nn.Module, BaseModel)"))
    path = tmp_path / "train.py"
    path.write_text(text)
    from gradlint.rules import BY_CODE

    forget_projects()
    try:
        reported = [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE["GRD510"]])]
    finally:
        forget_projects()
    assert reported == []
