"""A training step that calls ``model.train()`` first, then a helper that predicts under
``no_grad`` after ``model.eval()`` (LCFCN's blob counting), then the forward it backpropagates:
the earlier ``train()`` restores nothing, and that forward, and every later step, runs with
dropout off and batch-norm statistics frozen (``model.training`` is False there under torch
2.13). Reported at the helper's ``model.eval()``. With ``model.train()`` after the helper, or the
helper's prediction kept for after the training forward, it is silent."""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def count_blobs(model, images):
    model.eval()
    with torch.no_grad():
        probs = F.softmax(model(images), 1)
    return int((probs[:, 1] > 0.5).sum())


def point_loss(model, images, points):
    model.train()
    BEFORE
    logits = model(images)
    AFTER
    return F.cross_entropy(logits, points, ignore_index=-1) + 1e-3 * n_blobs


def train_epoch(model, loader, optimizer):
    for images, points in loader:
        optimizer.zero_grad()
        loss = point_loss(model, images, points)
        loss.backward()
        optimizer.step()


net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Dropout2d(0.2), nn.Conv2d(8, 2, 1))
data = [(torch.randn(1, 3, 16, 16), torch.randint(0, 2, (1, 16, 16))) for _ in range(3)]
train_epoch(net, data, torch.optim.Adam(net.parameters(), lr=1e-4))
"""


def program(before, after="pass"):
    return PROGRAM.replace("BEFORE", before).replace("AFTER", after)


def test_a_helper_evaluation_after_train_leaves_the_training_forward_in_eval_mode():
    assert findings(program("n_blobs = count_blobs(model, images)"), "GRD510") == [(7, "GRD510")]


def test_train_restored_after_the_helper_or_the_helper_run_last_is_silent():
    assert findings(program("n_blobs = count_blobs(model, images)\n    model.train()"), "GRD510") == []
    assert findings(program("pass", "n_blobs = count_blobs(model, images)"), "GRD510") == []


EPOCHS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def train_epoch(model, loader, optimizer):
    for x, y in loader:
        model.train()
        optimizer.zero_grad()
        output = model(x)
        loss = F.cross_entropy(output, y)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.eval()
            correct = (model(x).argmax(1) == y).sum().item()
    return correct


def attack_accuracy(model, loader, eps=0.03):
    model.eval()
    correct = 0
    for x, y in loader:
        x_adv = x.clone().requires_grad_(True)
        loss = F.cross_entropy(model(x_adv), y)
        grad, = torch.autograd.grad(loss, x_adv)
        correct += (model(x + eps * grad.sign()).argmax(1) == y).sum().item()
    return correct


net = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
data = [(torch.randn(4, 8), torch.randint(0, 3, (4,))) for _ in range(3)]
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(2):
    train_epoch(net, data, opt)
    attack_accuracy(net, data)
"""


def test_an_attack_evaluation_after_an_epoch_that_restores_train_mode_is_silent():
    assert findings(EPOCHS, "GRD510") == []
