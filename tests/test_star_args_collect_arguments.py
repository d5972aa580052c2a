"""A function's ``*args`` holds the positional arguments past its named parameters, and the elements
of a sequence spread into it: ``plot_multi_heatmap(*maps)`` into ``def plot_multi_heatmap(*arrays)``
gives ``arrays`` the feature maps, so ``array.cpu().numpy()`` over them raises "Can't call numpy()
on Tensor that requires grad" (GRD503). When the positions are lost (a spread that may fill named
parameters) ``*args`` stays unknown, and detached maps stay clean."""

from snippets import findings

_SRC = """\
import torch
import torch.nn as nn


def plot_maps(*arrays):
    for array in arrays:
        print(array.cpu().numpy().shape)


def plot_pair(first, *rest):
    for array in rest:
        print(array.cpu().numpy().shape)


conv = nn.Conv2d(3, 2, 3)
img = torch.rand(1, 3, 8, 8)
maps = [torch.sigmoid(conv(img)), torch.tanh(conv(img))]
{call}
"""

SPREAD = _SRC.format(call="plot_maps(*maps)")
POSITIONAL_EXTRAS = _SRC.format(call="plot_maps(maps[0], torch.sigmoid(conv(img)))")
SPREAD_DETACHED = _SRC.format(call="plot_maps(*[m.detach() for m in maps])")
SPREAD_INTO_NAMED_PARAMETERS = _SRC.format(call="plot_pair(*maps)")
NO_GRAD = _SRC.format(call="with torch.no_grad():\n    plot_maps(*[torch.sigmoid(conv(img))])")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_a_list_spread_into_star_args():
    assert findings(SPREAD, "GRD503") == [(line_of(SPREAD, "array.cpu().numpy()"), "GRD503")]


def test_positional_arguments_past_the_named_ones():
    assert findings(POSITIONAL_EXTRAS, "GRD503") == [(line_of(POSITIONAL_EXTRAS, "array.cpu().numpy()"), "GRD503")]


def test_detached_maps_spread_stay_clean():
    assert findings(SPREAD_DETACHED, "GRD503") == []


def test_a_spread_that_may_fill_named_parameters_stays_unknown():
    assert findings(SPREAD_INTO_NAMED_PARAMETERS, "GRD503") == []


def test_maps_computed_under_no_grad_stay_clean():
    assert findings(NO_GRAD, "GRD503") == []
