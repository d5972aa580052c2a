"""GRD102 when the cut is hidden by setting the flag on the cut value itself: ``loss.requires_grad_(True)``
(or ``loss.requires_grad = True``) on a loss computed only from data cut out of the graph (an
``argmax`` of the logits), then ``loss.backward()``: backward() runs, but it stops at the new leaf
and the model gets no gradient (the silencing users post in "element 0 of tensors does not require
grad" threads). A leaf made on purpose from detached data (an adversarial input, a synthetic
gradient's split point) has its ``.grad`` read or feeds a model, and a loss that already carries
the graph is not cut: both stay silent."""

from snippets import findings

_MODEL = """\
import torch
import torch.nn as nn


def compute_loss(outputs, labels):
    preds = torch.argmax(outputs, dim=1).float()
    return nn.functional.mse_loss(preds, labels.float())


def train(model, loader, optimizer):
    for images, labels in loader:
        optimizer.zero_grad()
        outputs = model(images)
{loss}
        optimizer.step()


model = nn.Linear(4, 3)
train(model, [(torch.randn(2, 4), torch.randint(0, 3, (2,)))], torch.optim.SGD(model.parameters(), lr=0.1))
"""

FLAG_CALL = _MODEL.format(loss="""\
        loss = compute_loss(outputs, labels)
        loss.requires_grad_(True)
        loss.backward()""")
FLAG_CALL_NO_ARG = _MODEL.format(loss="""\
        loss = compute_loss(outputs, labels)
        loss.requires_grad_()
        loss.backward()""")
FLAG_ATTRIBUTE = _MODEL.format(loss="""\
        loss = compute_loss(outputs, labels)
        loss.requires_grad = True
        loss.backward()""")
GRAPH_LOSS_FLAGGED = _MODEL.format(loss="""\
        loss = nn.functional.cross_entropy(outputs, labels)
        loss.requires_grad_(True)
        loss.backward()""")
ADVERSARIAL_INPUT = _MODEL.format(loss="""\
        x_adv = images.detach()
        x_adv.requires_grad_(True)
        adv_loss = nn.functional.cross_entropy(model(x_adv), labels)
        adv_loss.backward()
        images = x_adv + 0.01 * x_adv.grad.sign()""")
SPLIT_POINT = _MODEL.format(loss="""\
        h = outputs.detach()
        h.requires_grad = True
        head_loss = (h ** 2).sum()
        head_loss.backward()
        outputs.backward(h.grad)""")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_requires_grad_underscore_on_a_cut_loss():
    assert findings(FLAG_CALL, "GRD102", "GRD103") == [(line_of(FLAG_CALL, "requires_grad_(True)"), "GRD102")]


def test_requires_grad_underscore_without_argument():
    assert findings(FLAG_CALL_NO_ARG, "GRD102", "GRD103") == [(line_of(FLAG_CALL_NO_ARG, "requires_grad_()"), "GRD102")]


def test_requires_grad_attribute_on_a_cut_loss():
    assert findings(FLAG_ATTRIBUTE, "GRD102", "GRD103") == [(line_of(FLAG_ATTRIBUTE, "requires_grad = True"), "GRD102")]


def test_a_loss_that_carries_the_graph_is_not_a_cut():
    assert findings(GRAPH_LOSS_FLAGGED, "GRD102", "GRD103") == []


def test_an_adversarial_leaf_whose_grad_is_read():
    assert findings(ADVERSARIAL_INPUT, "GRD102", "GRD103") == []


def test_a_split_point_leaf_whose_grad_is_read():
    assert findings(SPLIT_POINT, "GRD102", "GRD103") == []
