"""Shapes from the session-22 precision work (code nobody here wrote), as small programs.

- A warm-up forward whose statement drops the output (``_ = model(img) if cuda else None  # run
  once``, or ``model(x)`` alone in a timing loop) frees its graph at once: it is no evaluation loop
  that keeps activations (yolov5 test.py, no GRD505). The same forward whose output is kept, or
  whose activations a forward hook of the file stores (LSUV initialisation), still reports.
"""

from snippets import findings

WARM_UP = """\
import torch
import torch.nn as nn


def evaluate(model, batches, device):
    model.eval()
    {warm}
    total = 0.0
    with torch.no_grad():
        for x in batches:
            total += model(x).sum().item()
    return total


model = nn.Linear(4, 2)
data = [torch.randn(3, 4) for _ in range(2)]
results = []
for size in (1, 2, 3):
    results.append(evaluate(model, data, "cpu"))
"""


def _warm_up(line):
    source = WARM_UP.format(warm=line)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD505")]


def test_a_warm_up_forward_assigned_to_underscore_is_not_reported():
    assert _warm_up('_ = model(torch.zeros(1, 4)) if device != "cpu" else None  # run once') == []


def test_a_warm_up_forward_alone_is_not_reported():
    assert _warm_up("model(torch.zeros(1, 4))") == []


def test_a_kept_warm_up_output_still_reports():
    line = "first = model(torch.zeros(1, 4)); results.append(first)"
    assert _warm_up(line) == [(line, "GRD505")]


TIMING = """\
import torch
import torch.nn as nn

store = []
model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
{hook}
model.eval()
for step in range(10):
    model(torch.randn(8, 4))
"""


def test_a_timing_loop_that_drops_every_output_is_not_reported():
    assert findings(TIMING.format(hook=""), "GRD505") == []


def test_a_loop_whose_outputs_a_forward_hook_stores_still_reports():
    hook = "model[0].register_forward_hook(lambda m, i, o: store.append(o))"
    assert findings(TIMING.format(hook=hook), "GRD505") == [(9, "GRD505")]

