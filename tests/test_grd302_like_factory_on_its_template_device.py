"""A ``*_like`` factory makes its tensor on the device of the tensor it copies the shape of. When that
tensor was just moved to ``device`` (``images = torch.zeros(...).to(device)``), the leaf
``torch.zeros_like(images, requires_grad=True)`` is already there and ``.to(device)`` returns the leaf
itself (checked with torch 2.13: ``t.to(t.device) is t``), so the perturbation keeps its ``.grad``
(an iterative attack reading ``delta.grad`` after each backward). The move still loses the leaf when the
template's device is not known to be that one: moved elsewhere, bound otherwise, or a ``device=`` given
to the factory."""

from snippets import findings

ATTACK = """\
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def perturb(model, batches, steps=10, eps=8 / 255):
    model.eval()
    for batch, labels in batches:
        images = torch.zeros(batch.shape).to(TEMPLATE_DEVICE)
        images[:] = batch
        delta = torch.zeros_like(images, requires_grad=True).to(device)
        for _ in range(steps):
            loss = nn.functional.cross_entropy(model(images + delta), labels)
            loss.backward()
            delta.data = (delta.data + eps / 4 * delta.grad.sign()).clamp(-eps, eps)
            delta.grad.zero_()
        yield (images + delta).detach()
"""


def _grd302(source):
    return [line for line, code in findings(source) if code == "GRD302"]


def test_a_like_leaf_moved_where_its_template_was_moved_stays_a_leaf():
    assert _grd302(ATTACK.replace("TEMPLATE_DEVICE", "device")) == []


def test_a_like_leaf_moved_elsewhere_than_its_template_still_loses_its_leaf():
    assert _grd302(ATTACK.replace("TEMPLATE_DEVICE", '"cpu"')) == [12]


def test_a_like_leaf_of_a_template_not_moved_here_still_loses_its_leaf():
    source = ATTACK.replace("torch.zeros(batch.shape).to(TEMPLATE_DEVICE)", "batch.clone()")
    assert _grd302(source) == [12]


def test_a_like_leaf_given_its_own_device_still_loses_its_leaf():
    source = ATTACK.replace("TEMPLATE_DEVICE", "device").replace(
        "zeros_like(images, requires_grad=True)", 'zeros_like(images, device="cpu", requires_grad=True)'
    )
    assert _grd302(source) == [12]
