"""A forward that builds a list of grad tensors (``return [torch.sigmoid(h(feat))[0, 0] for h in
self.heads]``, one map per detection head) gives its caller that list: iterating it yields tensors
that require grad, so ``.numpy()`` on one raises (GRD503). Under ``torch.no_grad()`` or from a
forward that detaches its maps, nothing is reported."""

from snippets import findings

_SRC = """\
import torch
import torch.nn as nn


class DetectHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.heads = nn.ModuleList(nn.Conv2d(4, 1, 1) for _ in range(3))

    def forward(self, img):
        feat = torch.relu(self.stem(img))
        return [{map_expr} for h in self.heads]


def show(model, img):
{body}


show(DetectHeads(), torch.rand(1, 3, 8, 8))
"""

_LOOP = """\
    maps = model(img)
    for m in maps:
        print(m.numpy().max())"""

GRAD_MAPS = _SRC.format(map_expr="torch.sigmoid(h(feat))[0, 0]", body=_LOOP)
DETACHED_MAPS = _SRC.format(map_expr="torch.sigmoid(h(feat))[0, 0].detach()", body=_LOOP)
UNDER_NO_GRAD = _SRC.format(
    map_expr="torch.sigmoid(h(feat))[0, 0]", body="    with torch.no_grad():\n" + "\n".join("    " + l for l in _LOOP.splitlines())
)


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_maps_of_a_forward_built_list_require_grad():
    assert findings(GRAD_MAPS, "GRD503") == [(line_of(GRAD_MAPS, "m.numpy()"), "GRD503")]


def test_detached_maps_stay_clean():
    assert findings(DETACHED_MAPS, "GRD503") == []


def test_maps_under_no_grad_stay_clean():
    assert findings(UNDER_NO_GRAD, "GRD503") == []
