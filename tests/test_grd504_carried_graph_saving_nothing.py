"""A name carried from one iteration to the next keeps the graph the earlier iterations built on it, and a
backward() through it again raises only when that graph saved a tensor the earlier backward() freed. An
input-diversity attack rebinds its batch each step as ``images = diversify(images + delta)``, a helper of
the file that resizes with ``F.interpolate(mode="nearest")`` and zero-pads with ``F.pad``: additions,
upsamplings and constant paddings save no tensor (checked with torch 2.13: ``AddBackward0``,
``UpsampleNearest2DBackward0``, ``ConstantPadNdBackward0``), so every step's backward() runs. A
reflection pad saves its input, and a carried product saves its operands: those still raise from the
second step on."""

from snippets import findings

ATTACK = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))
model.requires_grad_(False)

def diversify(images, low=0.9):
    if torch.rand(1) < 0.5:
        return images
    size = images.shape[-1]
    side = int(torch.randint(int(size * low), size, (1,)))
    resized = F.interpolate(images, size=[side, side], mode="nearest")
    margin = size - side
    return F.pad(resized, [0, margin, 0, margin], mode="constant", value=0)


def attack(batch, labels, steps=10, step_size=2 / 255):
    images = torch.zeros(batch.shape)
    images[:] = batch
    delta = torch.zeros_like(images, requires_grad=True)
    for _ in range(steps):
        images = CARRY
        loss = nn.functional.cross_entropy(model(images + delta), labels)
        loss.backward()
        delta.data = delta.data + step_size * delta.grad.sign()
        delta.grad.zero_()
    return (batch + delta).detach()
"""


def _grd504(carry):
    return [line for line, code in findings(ATTACK.replace("CARRY", carry)) if code == "GRD504"]


def test_a_batch_rebound_through_padding_and_resizing_saves_nothing():
    assert _grd504("diversify(images + delta)") == []


def test_a_reflection_pad_saves_its_input():
    assert _grd504('F.pad(images + delta, [1, 1, 1, 1], mode="reflect")[..., 1:-1, 1:-1]') == [25]


def test_a_carried_product_saves_its_operands():
    assert _grd504("diversify(images * (1 + delta))") == [25]
