"""GRD404 when a project helper places a new layer on a model, freezes every parameter and returns
the model: the caller may unfreeze the new layer (``for p in model.fc.parameters(): p.requires_grad
= True``) before training, which is correct code. The freeze travels with the layer to the caller
(``FreezeEvent.heads``), whose walk judges it: reported at the helper's line only when the caller
leaves the layer frozen. A helper of another file is judged at the call by a caller file that sets
``requires_grad`` somewhere (it may unfreeze the layer), else in its own file, at the layer. A
helper nobody calls is judged on its own, as before."""

import textwrap

from snippets import findings, lint_path, write_project

_BUILD = """\
import torch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 16), nn.ReLU())
        self.fc = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc(self.body(x))


def build(n_out):
    model = Backbone()
    model.fc = nn.Linear(16, n_out)
    for p in model.parameters():
        p.requires_grad = False
    return model


"""

_FIT = """\
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.01)
    for x, y in [(torch.randn(4, 10), torch.randn(4, 3))]:
        opt.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        opt.step()
"""

UNFROZEN_BY_CALLER = _BUILD + """\
def main():
    net = build(3)
    for p in net.fc.parameters():
        p.requires_grad = True
""" + _FIT + "\n\nmain()\n"

UNFROZEN_BY_REQUIRES_GRAD_ = _BUILD + """\
def main():
    net = build(3).to("cpu")
    net.fc.requires_grad_(True)
""" + _FIT + "\n\nmain()\n"

LEFT_FROZEN = _BUILD + """\
def main():
    net = build(3)
""" + _FIT + "\n\nmain()\n"

OTHER_PART_UNFROZEN = _BUILD + """\
def main():
    net = build(3)
    net.body.requires_grad_(True)
""" + _FIT + "\n\nmain()\n"

NOBODY_CALLS_IT = _BUILD


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_caller_unfreezes_the_new_layer():
    assert findings(UNFROZEN_BY_CALLER, "GRD404", "GRD407") == []


def test_caller_unfreezes_it_with_requires_grad_():
    assert findings(UNFROZEN_BY_REQUIRES_GRAD_, "GRD404", "GRD407") == []


def test_caller_leaves_it_frozen_reported_once_at_the_helpers_layer():
    assert findings(LEFT_FROZEN, "GRD404", "GRD407") == [(line_of(LEFT_FROZEN, "model.fc = "), "GRD404")]


def test_caller_unfreezing_another_part_leaves_the_layer_frozen():
    assert findings(OTHER_PART_UNFROZEN, "GRD404") == [(line_of(OTHER_PART_UNFROZEN, "model.fc = "), "GRD404")]


def test_a_helper_nobody_calls_is_judged_alone():
    assert findings(NOBODY_CALLS_IT, "GRD404") == [(line_of(NOBODY_CALLS_IT, "model.fc = "), "GRD404")]


_TRAINER = """\
import torch
import torch.nn as nn

from builder import build


def main():
    net = build(3)
{unfreeze}{fit}

main()
"""


def _project(tmp_path, unfreeze):
    trainer = _TRAINER.format(unfreeze=unfreeze, fit=_FIT)
    write_project(tmp_path, {"builder.py": _BUILD, "train.py": trainer})
    return trainer


def test_helper_of_another_file_whose_caller_unfreezes_the_layer(tmp_path):
    _project(tmp_path, "    net.fc.requires_grad_(True)\n")
    assert lint_path(tmp_path / "train.py", {"GRD404", "GRD407"}) == []
    assert lint_path(tmp_path / "builder.py", {"GRD404", "GRD407"}) == []


def test_helper_of_another_file_whose_caller_leaves_it_frozen(tmp_path):
    trainer = _project(tmp_path, "")
    assert lint_path(tmp_path / "train.py", {"GRD404", "GRD407"}) == [(line_of(trainer, "build(3)"), "GRD404")]
    assert lint_path(tmp_path / "builder.py", {"GRD404", "GRD407"}) == []


_PLAIN_FIT = """\
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    for x, y in [(torch.randn(4, 10), torch.randn(4, 3))]:
        opt.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        opt.step()
"""


def test_a_caller_file_that_never_sets_requires_grad_leaves_the_report_in_the_helper(tmp_path):
    """The trainer cannot unfreeze the layer: the pitfall is reported at its cause, the helper's
    assignment of the layer, and not again at the call."""
    trainer = _TRAINER.format(unfreeze="", fit=_PLAIN_FIT)
    write_project(tmp_path, {"builder.py": _BUILD, "train.py": trainer})
    assert lint_path(tmp_path / "train.py", {"GRD404", "GRD407"}) == []
    assert lint_path(tmp_path / "builder.py", {"GRD404", "GRD407"}) == [(line_of(_BUILD, "model.fc = "), "GRD404")]
