"""A caller analysed for the contexts it gives the linted file (``callers``) loads the linted file
whatever its import budget: a training script importing its configuration, data, model and logging
modules after its model's (``from models import get_model`` alone loads several) then ``from evaluate import
show_samples`` had spent the budget, so ``evaluate`` was left unread there and the script's calls
gave its functions no context. ``show_samples(model, batches)``, its ``model.eval()`` then
``model.decode(x)`` (a method of the project's model running its forward), is an evaluation of the
caller's model with gradients enabled only with that context (corpus31 khanrc pt.seq2seq's
``train.py`` importing ``evaluate`` after ``models``).

Silent: the same helper under ``no_grad``, and a caller that imports nothing else first (the
context was already there; the finding is the same).
"""

from snippets import lint_path, write_project

HELPER = """\
import torch


def show_one(model, x):
    model.eval()
    out = model.decode(x)
    return out.argmax(-1)


def show_samples(model, batches):
    return [show_one(model, x) for x in batches] + [show_one(model, batches[0])]


def show_all(model, batches):
    for x in batches:
        print(show_one(model, x))
"""

NET = """\
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)

    def forward(self, x):
        return self.fc(x)

    def decode(self, x):
        return self.forward(x)
"""

FILLER = """\
import torch


def helper_{n}(x):
    return torch.relu(x) * {n}
"""

TRAIN = """\
import torch
from net import Decoder
IMPORTS
from evaluate import show_all


def main():
    model = Decoder(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = [torch.randn(2, 4) for _ in range(3)]
    for epoch in range(2):
        model.train()
        for x in batches:
            loss = model(x).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        show_all(model, batches)


if __name__ == "__main__":
    main()
"""


def _project(tmp_path, fillers, helper=HELPER):
    files = {"evaluate.py": helper, "net.py": NET}
    for n in range(fillers):
        files[f"part{n}.py"] = FILLER.format(n=n)
    imports = "\n".join(f"from part{n} import helper_{n}" for n in range(fillers))
    uses = "".join(f"\nhelper_{n}(torch.zeros(1))" for n in range(fillers))
    files["train.py"] = TRAIN.replace("IMPORTS", imports) + uses + "\n"
    write_project(tmp_path, files)
    return lint_path(tmp_path / "evaluate.py", select={"GRD505"})


def test_a_caller_that_imports_many_modules_first_gives_its_context(tmp_path):
    assert _project(tmp_path, 8) == [(6, "GRD505")]


def test_a_caller_with_few_imports_gives_the_same(tmp_path):
    assert _project(tmp_path, 0) == [(6, "GRD505")]


def test_the_helper_under_no_grad_is_silent(tmp_path):
    helper = HELPER.replace("    model.eval()\n", "    model.eval()\n    torch.set_grad_enabled(False)\n")
    assert _project(tmp_path, 8, helper) == []
