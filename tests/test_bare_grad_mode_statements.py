"""``torch.no_grad()`` written as a bare statement (``torch.no_grad()`` on its own line, then the
forward) switches nothing: the context manager's constructor leaves the grad mode alone, only a
``with`` (or a decorator) enters it. ``torch.set_grad_enabled(False)`` as a statement does switch
the mode at once (its constructor sets it). Checked with torch 2.13: after ``torch.no_grad()`` or
``torch.inference_mode()`` as statements ``torch.is_grad_enabled()`` is still True; after
``torch.set_grad_enabled(False)`` it is False."""

from snippets import findings

_VAL = """\
import torch
import torch.nn as nn


def val(loader, model):
    model.eval()
    scores = []
    for inputs, labels in loader:
{switch}
        output = model(inputs)
        scores.append((output.argmax(1) == labels).float().mean().item())
    return scores


model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
val([(torch.randn(4, 4), torch.randint(0, 2, (4,)))], model)
"""


def test_bare_no_grad_statement_leaves_gradients_on():
    assert findings(_VAL.format(switch="        torch.no_grad()"), "GRD505") == [(10, "GRD505")]


def test_bare_inference_mode_statement_leaves_gradients_on():
    assert findings(_VAL.format(switch="        torch.inference_mode()"), "GRD505") == [(10, "GRD505")]


def test_set_grad_enabled_statement_switches_the_mode():
    assert findings(_VAL.format(switch="        torch.set_grad_enabled(False)"), "GRD505") == []


def test_no_grad_entered_with_with_is_silent():
    src = _VAL.format(switch="        pass").replace(
        "        output = model(inputs)\n", "        with torch.no_grad():\n            output = model(inputs)\n"
    )
    assert findings(src, "GRD505") == []


def test_bare_enable_grad_statement_does_not_undo_set_grad_enabled():
    src = _VAL.format(switch="        torch.set_grad_enabled(False)\n        torch.enable_grad()")
    assert findings(src, "GRD505") == []
