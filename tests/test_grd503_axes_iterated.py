"""GRD503 on an axis taken by iterating the array of axes that ``plt.subplots`` returns
(``for ax, m in zip(axs[0], maps)``, ``for i, ax in enumerate(axs.flat)``, ``axs.flatten()``):
each element is an Axes, whose ``imshow`` / ``plot`` convert their data with numpy like
``plt.imshow`` does, so a map that requires grad raises "Can't call numpy() on Tensor that
requires grad". Detached maps, or maps computed under ``no_grad``, stay silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)


def heatmaps(loop, draw, compute="    maps = encoder(images)[0]\n"):
    return (
        """\
import matplotlib.pyplot as plt
import torch
import torch.nn as nn


def show_maps(images):
    encoder = nn.Conv2d(3, 4, 3, padding=1)
"""
        + compute
        + "    fig, axs = plt.subplots(2, 2)\n"
        + loop
        + draw
        + "    fig.savefig('maps.png')\n"
    )


UNDER_NO_GRAD = "    with torch.no_grad():\n        maps = encoder(images)[0]\n"
ZIP_ROW = "    for idx, ax, m in zip(range(2), axs[0], maps):\n"
ENUMERATE_FLAT = "    for i, ax in enumerate(axs.flat):\n        m = maps[i]\n"
FLATTENED = "    for i, ax in zip(range(4), axs.flatten()):\n        m = maps[i]\n"

POSITIVES = [
    case("zip-over-a-row-of-axes", heatmaps(ZIP_ROW, "        ax.imshow(m)  # expect: GRD503\n"), [11]),
    case(
        "enumerate-over-flat-axes",
        heatmaps(ENUMERATE_FLAT, "        ax.imshow(m)  # expect: GRD503\n"),
        [12],
    ),
    case(
        "zip-over-flattened-axes",
        heatmaps(FLATTENED, "        ax.plot(m.sum(0))  # expect: GRD503\n"),
        [12],
    ),
]

NEGATIVES = [
    case("detached-map", heatmaps(ZIP_ROW, "        ax.imshow(m.detach())\n")),
    case("maps-under-no-grad", heatmaps(ZIP_ROW, "        ax.imshow(m)\n", compute=UNDER_NO_GRAD)),
    case("item-values", heatmaps(ENUMERATE_FLAT, "        ax.set_title(f'{m.mean().item():.2f}')\n")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
