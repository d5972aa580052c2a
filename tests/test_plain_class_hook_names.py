"""Lightning runs ``validation_step``, ``test_step``, ``on_validation_*`` ... under ``no_grad``, so a
method of that name is taken to run with gradients off. A plain class (no base, or bases the
project defines) is no LightningModule: its ``validation_step`` runs however its own code calls it.
"""

import pytest

from snippets import findings

TRAINER = """\
import torch
import torch.nn as nn


class Trainer(BASES):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))
        self.loader = [(torch.randn(2, 4), torch.randn(2, 1)) for _ in range(3)]

    def validate(self):
        self.model.eval()
        CALL

    def validation_step(self, loader):
        out = []
        for x, y in loader:
            pred = self.model(x)  # expect: GRD505
            out.append((pred - y).pow(2).mean().item())
        return out


Trainer().validate()
"""


def trainer(bases="", call="print(sum(self.validation_step(self.loader)))"):
    return TRAINER.replace("(BASES)", f"({bases})" if bases else "").replace("CALL", call)


@pytest.mark.parametrize("bases", ["", "object"])
def test_plain_class_hook_name_runs_with_gradients(bases):
    assert findings(trainer(bases), "GRD505") == [(18, "GRD505")]


def test_plain_class_called_under_no_grad():
    call = "with torch.no_grad():\n            print(sum(self.validation_step(self.loader)))"
    assert findings(trainer(call=call), "GRD505") == []


@pytest.mark.parametrize("bases", ["nn.Module", "SomeFrameworkModule"])
def test_module_or_unknown_base_keeps_the_hook_silent(bases):
    src = trainer(bases)
    if bases == "SomeFrameworkModule":
        src = src.replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom framework import SomeFrameworkModule\n")
    assert findings(src, "GRD505") == []
