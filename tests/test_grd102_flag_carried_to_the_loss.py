"""GRD102 when the cut value made a leaf (``preds.requires_grad = True``) is not itself
backpropagated but reaches the backward through parameter-free ops only: a loss module or function
and its targets, moves, reductions (``loss = criterion(preds.to(device), labels); loss.backward()``).
The backward stops at the new leaf and the model gets no gradient (checked with torch 2.13: the
first layer's .grad stays None). A loss that also takes a model's output, a leaf fed to a model and
a leaf whose .grad is read stay silent."""

from snippets import findings

_TRAIN = """\
import torch
import torch.nn as nn

device = torch.device("cpu")


def train(model, loader, optimizer, criterion):
    for images, labels in loader:
        optimizer.zero_grad()
        outputs = model(images)
{body}
        optimizer.step()


model = nn.Linear(4, 3)
train(model, [(torch.randn(2, 4), torch.rand(2))], torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss())
"""

ARGMAX_TO_LOSS = _TRAIN.format(body="""\
        preds = outputs.argmax(1).float()
        preds.requires_grad = True
        loss = criterion(preds, labels)
        loss.backward()""")
REBUILT_MOVED_TO_LOSS = _TRAIN.format(body="""\
        values = []
        for row in outputs[:, :1].detach().numpy():
            for v in row:
                values.append(v)
        preds = torch.Tensor(values)
        preds.requires_grad = True
        preds = preds.to(device)
        loss = nn.functional.mse_loss(preds, labels)
        loss.backward()""")
REDUCED_STRAIGHT_AWAY = _TRAIN.format(body="""\
        preds = outputs.argmax(1).float()
        preds.requires_grad_(True)
        (preds - labels).abs().mean().backward()""")
WITH_A_GRAPH_TERM = _TRAIN.format(body="""\
        preds = outputs.argmax(1).float()
        preds.requires_grad = True
        aux = criterion(outputs.sum(1), labels)
        loss = criterion(preds, labels) + aux
        loss.backward()""")
FED_TO_THE_MODEL = _TRAIN.format(body="""\
        x = images.detach()
        x.requires_grad = True
        loss = criterion(model(x).sum(1), labels)
        loss.backward()""")
GRAD_READ = _TRAIN.format(body="""\
        h = outputs.detach()
        h.requires_grad = True
        head_loss = criterion(h.sum(1), labels)
        head_loss.backward()
        outputs.backward(h.grad)""")


def line_of(src, text):
    return next(number for number, line in enumerate(src.splitlines(), 1) if text in line)


def test_flagged_argmax_through_a_loss_module():
    assert findings(ARGMAX_TO_LOSS, "GRD102") == [(line_of(ARGMAX_TO_LOSS, "requires_grad = True"), "GRD102")]


def test_flagged_rebuilt_values_moved_then_through_a_loss_function():
    expected = [(line_of(REBUILT_MOVED_TO_LOSS, "requires_grad = True"), "GRD102")]
    assert findings(REBUILT_MOVED_TO_LOSS, "GRD102") == expected


def test_flagged_value_reduced_and_backpropagated_straight_away():
    expected = [(line_of(REDUCED_STRAIGHT_AWAY, "requires_grad_(True)"), "GRD102")]
    assert findings(REDUCED_STRAIGHT_AWAY, "GRD102") == expected


def test_a_loss_with_a_graph_term_trains_the_model():
    assert findings(WITH_A_GRAPH_TERM, "GRD102") == []


def test_a_leaf_fed_to_the_model():
    assert findings(FED_TO_THE_MODEL, "GRD102") == []


def test_a_leaf_whose_grad_is_read():
    assert findings(GRAD_READ, "GRD102") == []
