"""GRD502 and a trainer's step that sums its per-domain losses in place and hands the total to an
update it inherits: ``loss = 0``, ``loss += loss_x``, ``self.backward_and_step(loss)``, a method of a
base class calling ``self.backward(loss)``, which calls ``loss.backward()``. The loop over the domains
keeps each domain's graph for that backward on purpose. Before, only names bound by ``=`` from the
history counted as the loss (``handed_histories._derived_names``) and only a method calling
``backward()`` itself as an update, so the loop was reported as an evaluation loop's history
(realprec11 Dassl.pytorch dassl/engine/da/dael.py:135 and dg/daeldg.py:110, false alarms).

The base class may come from a module imported after the import budget is spent (a trainer file
importing its data, optimiser and model packages first): the classes a file subclasses are loaded past
the budget like what its loops call (``import_priority``).

Still reported: the same loop when the inherited method only logs the total.
"""

from snippets import lint_path, write_project

CODE = "GRD502"

BASE = """\
import torch


class TrainerBase:
    def __init__(self, optimizers):
        self.optimizers = optimizers

    def backward(self, loss):
        if not torch.isfinite(loss):
            raise FloatingPointError("loss is not finite")
        loss.backward()

    def step(self):
        for optimizer in self.optimizers:
            optimizer.step()
            optimizer.zero_grad()

    def backward_and_step(self, loss):
        self.backward(loss)
        self.step()


class PairedTrainer(TrainerBase):
    pass
"""

EXPERTS = """\
import torch
import torch.nn as nn
{imports}

class Experts(nn.Module):
    def __init__(self, domains, width, classes):
        super().__init__()
        self.heads = nn.ModuleList([nn.Linear(width, classes) for _ in range(domains)])

    def forward(self, domain, features):
        return self.heads[domain](features).softmax(1)


class ExpertTrainer(PairedTrainer):
    def build(self, domains, width, classes):
        self.experts = Experts(domains, width, classes)

    def train_step(self, features, labels, domains):
        supervised = 0
        for feature, label, domain in zip(features, labels, domains):
            prediction = self.experts(domain, feature)
            supervised += -(label * torch.log(prediction + 1e-5)).sum(1).mean()
        supervised /= len(features)
        total = 0
        total += supervised
        self.backward_and_step(total)
        return {{"supervised": supervised.item()}}
"""


def _write(tmp_path, files):
    (tmp_path / "engine").mkdir(exist_ok=True)
    write_project(tmp_path, files)


def _project(tmp_path, base, imports):
    files = {"engine/__init__.py": "", "engine/base.py": base, "engine/experts.py": EXPERTS.format(imports=imports)}
    _write(tmp_path, files)
    return lint_path(tmp_path / "engine" / "experts.py", select={CODE})


def test_total_summed_in_place_for_an_inherited_update(tmp_path):
    assert _project(tmp_path, BASE, "from engine.base import PairedTrainer\n") == []


def test_inherited_method_that_only_logs_is_no_update(tmp_path):
    logging = BASE.replace("        self.backward(loss)\n", "        print(float(loss))\n")
    assert _project(tmp_path, logging, "from engine.base import PairedTrainer\n") == [(23, CODE)]


def test_base_class_imported_past_the_import_budget(tmp_path):
    helpers = {f"engine/part{i}.py": f"def helper{i}(x):\n    return x + {i}\n" for i in range(8)}
    _write(tmp_path, helpers)
    imports = "".join(f"from engine.part{i} import helper{i}\n" for i in range(8))
    imports += "from engine.base import PairedTrainer\n"
    uses = "".join(f"            feature = helper{i}(feature)\n" for i in range(8))
    source = EXPERTS.format(imports=imports).replace(
        "        for feature, label, domain in zip(features, labels, domains):\n",
        "        for feature, label, domain in zip(features, labels, domains):\n" + uses,
    )
    _write(tmp_path, {"engine/__init__.py": "", "engine/base.py": BASE, "engine/experts.py": source})
    assert lint_path(tmp_path / "engine" / "experts.py", select={CODE}) == []
