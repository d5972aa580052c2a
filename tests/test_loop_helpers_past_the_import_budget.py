"""Project modules a script's loops reach through its own functions and star imports.

A notebook exported to a script (corpus20 TSAI_EVA Assignment-6) star-imports seven project modules;
the module whose ``model_training`` fills the loss list comes last, past the per-file import budget.
Its loop calls the file's own ``get_optim(mode)``, which calls ``model_training``: the helper is
called from the loop, one function away. Such a module is now loaded past the budget when a loop
calls the function that calls it, and a star import counts for the functions its module defines.

``from torch.functional import F`` (what ``torch/functional.py`` itself imports) is
``torch.nn.functional``: ``F.nll_loss`` there is the torch loss.

Our own snippets: small projects written into a temporary folder.
"""

import textwrap

from snippets import lint_path as lint
from snippets import write_project as write

FILLER = """\
import torch.nn.functional as F


def model_training(model, optimizer, loader, losses, l1=False):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        if l1:
            for p in model.parameters():
                loss = loss + 0.0001 * p.abs().sum()
        losses.append(loss)
        loss.backward()
        optimizer.step()
"""

#: modules the script imports before the filler's: enough to spend the budget
PADDING = {f"helpers{i}.py": f"import torch\n\n\ndef helper{i}(x):\n    return x * {i}\n" for i in range(8)}

SCRIPT = """\
import torch
import torch.nn as nn
import matplotlib.pyplot as plt
{imports}

loader = [(torch.randn(8, 4), torch.zeros(8).long()) for _ in range(3)]


def get_optim(mode):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    if mode == "l1":
        model_training(model, optimizer, loader, train_losses, l1=True)
    else:
        model_training(model, optimizer, loader, train_losses)


for mode in ["plain", "l1"]:
    model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
    train_losses = []
    for epoch in range(2):
        get_optim(mode)
    plt.plot(train_losses)
"""


def _project(tmp_path, star: bool, filler: str = FILLER):
    imports = "\n".join(f"from helpers{i} import *" if star else f"from helpers{i} import helper{i}" for i in range(8))
    imports += "\nfrom training import *" if star else "\nfrom training import model_training"
    write(tmp_path, dict(PADDING, **{"training.py": filler, "main.py": SCRIPT.format(imports=imports)}))
    return tmp_path / "main.py"


def _plot_line(path):
    return textwrap.dedent(path.read_text()).splitlines().index("    plt.plot(train_losses)") + 1


def test_a_star_imported_helper_past_the_budget_fills_the_plotted_list(tmp_path):
    path = _project(tmp_path, star=True)
    assert lint(path, select={"GRD503"}) == [(_plot_line(path), "GRD503")]


def test_a_named_helper_past_the_budget_called_one_function_away(tmp_path):
    path = _project(tmp_path, star=False)
    assert lint(path, select={"GRD503"}) == [(_plot_line(path), "GRD503")]


def test_a_helper_keeping_numbers_stays_silent(tmp_path):
    path = _project(tmp_path, star=True, filler=FILLER.replace("losses.append(loss)", "losses.append(loss.item())"))
    assert lint(path, select={"GRD503"}) == []


def test_the_torch_functional_alias_is_torch_nn_functional(tmp_path):
    filler = FILLER.replace("import torch.nn.functional as F", "from torch.functional import F")
    write(tmp_path, {"training.py": filler, "main.py": SCRIPT.format(imports="from training import model_training")})
    path = tmp_path / "main.py"
    assert lint(path, select={"GRD503"}) == [(_plot_line(path), "GRD503")]
