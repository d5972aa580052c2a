"""GRD203 when the write through ``.data`` is inside a helper of the file given the saved tensor:
``delta = normalize_and_scale(delta, mag)`` whose body does ``d.data[i, c] = d.data[i, c] * s`` on a
generator's tanh output (which the graph saved) before ``backward()``. Reported at the call, the line
of the caller that hands the saved tensor over. A helper writing only under a condition, one given a
tensor no graph saved, or one called after the backward stays silent."""

from snippets import findings

_TRAIN = """\
import torch
import torch.nn as nn


def normalize_and_scale(d, mag):
{helper}
    return d


def train(netG, clf, loader, opt, mag=0.04):
    for image in loader:
        delta = netG(torch.rand_like(image))
{body}


netG = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Tanh())
clf = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1))
train(netG, clf, [torch.rand(2, 3, 8, 8)], torch.optim.Adam(netG.parameters()))
"""

_SCALE_CHANNELS = """\
    for c in range(3):
        d.data[:, c] = d.data[:, c] * (mag / (d[:, c].detach().abs().max() + 1e-12))"""

_STEP = """\
        loss = clf(image + delta).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()"""

BEFORE_BACKWARD = _TRAIN.format(helper=_SCALE_CHANNELS, body="        delta = normalize_and_scale(delta, mag)\n" + _STEP)
INPLACE_ON_DATA = _TRAIN.format(helper="    d.data.mul_(mag)", body="        delta = normalize_and_scale(delta, mag)\n" + _STEP)
ONLY_UNDER_A_CONDITION = _TRAIN.format(
    helper="    if mag < 0.01:\n        d.data.mul_(mag)", body="        delta = normalize_and_scale(delta, mag)\n" + _STEP
)
NOT_SAVED = _TRAIN.format(
    helper="    d.data.mul_(mag)", body="        noise = normalize_and_scale(torch.rand_like(image), mag)\n" + _STEP
)
AFTER_BACKWARD = _TRAIN.format(helper="    d.data.mul_(mag)", body=_STEP + "\n        normalize_and_scale(delta, mag)")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_helper_rescaling_the_saved_output_through_data_before_backward():
    src = BEFORE_BACKWARD
    assert findings(src, "GRD203") == [(line_of(src, "delta = normalize_and_scale"), "GRD203")]


def test_helper_writing_in_place_through_data():
    src = INPLACE_ON_DATA
    assert findings(src, "GRD203") == [(line_of(src, "delta = normalize_and_scale"), "GRD203")]


def test_a_write_under_a_condition_is_not_known_to_happen():
    assert findings(ONLY_UNDER_A_CONDITION, "GRD203") == []


def test_a_tensor_no_graph_saved():
    assert findings(NOT_SAVED, "GRD203") == []


def test_called_after_backward():
    assert findings(AFTER_BACKWARD, "GRD203") == []
