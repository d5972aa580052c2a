"""A helper that converts what it is given only when it is not a tensor (``if isinstance(eye,
(list, tuple)): eye = torch.tensor(eye)``, ``if not torch.is_tensor(eye):``) never runs that
conversion for a tensor that requires grad: the call hands it a tensor, no tensor is a list, so
the copy that would cut the graph is dead code for that call (GRD101 false alarm on a camera
helper). Handed a list of grad tensors, or tested against ``torch.Tensor``, the copy runs and is
reported; a model output that may be a tuple is not taken for a plain tensor."""

from snippets import findings

HELPER = """\
import torch
import torch.nn.functional as F


def look_at(vertices, eye, up=None):
    if up is None:
        up = torch.tensor([0.0, 1.0, 0.0])
    if GUARD:
        eye = torch.tensor(eye, dtype=torch.float32)
    z_axis = F.normalize(-eye, dim=0)
    x_axis = F.normalize(torch.cross(up, z_axis, dim=0), dim=0)
    return (vertices - eye) @ torch.stack([x_axis, z_axis], dim=1)


verts = torch.rand(8, 3, requires_grad=True)
CAMERA
projected = look_at(verts, camera)
projected.sum().backward()
"""

LEAF = "camera = torch.tensor([0.0, 0.0, -2.7], requires_grad=True)"
ANGLES = "azimuth = torch.tensor(0.3, requires_grad=True)\ncamera = [torch.cos(azimuth), torch.sin(azimuth), -2.7]"


def program(guard, camera):
    return HELPER.replace("GUARD", guard).replace("CAMERA", camera)


def test_a_conversion_for_non_tensors_never_runs_on_a_grad_tensor():
    assert findings(program("isinstance(eye, (list, tuple))", LEAF), "GRD101") == []
    assert findings(program("isinstance(eye, list)", LEAF), "GRD101") == []
    assert findings(program("not torch.is_tensor(eye)", LEAF), "GRD101") == []
    assert findings(program("not isinstance(eye, torch.Tensor)", LEAF), "GRD101") == []


def test_the_conversion_that_runs_is_still_reported():
    assert findings(program("isinstance(eye, (list, tuple))", ANGLES), "GRD101") == [(9, "GRD101")]
    assert findings(program("isinstance(eye, torch.Tensor)", LEAF), "GRD101") == [(9, "GRD101")]
    assert findings(program("torch.is_tensor(eye)", LEAF), "GRD101") == [(9, "GRD101")]


MODEL_OUTPUT = """\
import torch
import torch.nn as nn


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)

    def forward(self, x):
        h = self.body(x)
        return h, h.mean(dim=1)


def summarize(out):
    if isinstance(out, tuple):
        out = torch.tensor([o.sum() for o in out])
    return out


model = TwoHeads()
stats = summarize(model(torch.randn(2, 4)))
"""


def test_a_model_output_that_may_be_a_tuple_is_not_narrowed():
    assert findings(MODEL_OUTPUT, "GRD101") == [(17, "GRD101")]
