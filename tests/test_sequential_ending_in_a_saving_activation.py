"""An ``nn.Sequential`` of library layers ending in an activation that keeps its output for backward
(a generator's ``nn.Sequential(..., nn.Tanh())``) returns that activation's output: the graph saved
it, so rescaling it through ``.data`` before ``backward()`` silently changes the gradient (GRD203;
the perturbation rescaled channel by channel in a generative-adversarial-perturbation trainer), and
an in-place write raises at backward (GRD202). A Sequential ending in a layer that saves nothing of
its output (``nn.Linear``, ``nn.BatchNorm``) stays silent, as does a write after backward()."""

from snippets import findings

_GEN = """\
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1), {last})

    def forward(self, x):
        return self.model(x)


def train(netG, clf, loader, opt, mag_in=0.04):
    for image in loader:
        delta = netG(torch.rand_like(image))
{write}
        loss = clf(image + delta).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()


netG = Generator()
clf = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1))
train(netG, clf, [torch.rand(2, 3, 8, 8)], torch.optim.Adam(netG.parameters()))
"""

DATA_WRITE_AFTER_TANH = _GEN.format(last="nn.Tanh()", write="        delta.data[0] = delta.data[0] * mag_in")
DATA_MUL_AFTER_SIGMOID = _GEN.format(last="nn.Sigmoid()", write="        delta.data.mul_(mag_in)")
INPLACE_AFTER_TANH = _GEN.format(last="nn.Tanh()", write="        delta.mul_(mag_in)")
DATA_WRITE_AFTER_BATCHNORM = _GEN.format(last="nn.BatchNorm2d(3)", write="        delta.data.mul_(mag_in)")
OUT_OF_PLACE_AFTER_TANH = _GEN.format(last="nn.Tanh()", write="        delta = delta * mag_in")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_data_write_into_the_output_of_a_sequential_ending_in_tanh():
    src = DATA_WRITE_AFTER_TANH
    assert findings(src, "GRD203") == [(line_of(src, "delta.data[0] ="), "GRD203")]


def test_data_mul_into_the_output_of_a_sequential_ending_in_sigmoid():
    src = DATA_MUL_AFTER_SIGMOID
    assert findings(src, "GRD203") == [(line_of(src, "delta.data.mul_"), "GRD203")]


def test_inplace_write_into_it_is_grd202():
    src = INPLACE_AFTER_TANH
    assert findings(src, "GRD202", "GRD203") == [(line_of(src, "delta.mul_"), "GRD202")]


def test_a_sequential_ending_in_batchnorm_saves_nothing_of_its_output():
    assert findings(DATA_WRITE_AFTER_BATCHNORM, "GRD202", "GRD203") == []


def test_an_out_of_place_rescale_is_fine():
    assert findings(OUT_OF_PLACE_AFTER_TANH, "GRD202", "GRD203") == []
