"""GRD505 for an epoch loop whose body is two helpers of the file: ``train()`` switches the model with
``train()``, backpropagates and steps, then ``test()`` switches it with ``eval()`` and runs a forward
with gradients enabled (PyG examples: ``for epoch in ...: train(data); accs = test(data)``, corpus35
sheeprra SuperGAT and hou27's GNN notebooks). As for the trailing validation written inline or in a
helper after inline updates, the graph of that forward is recorded every epoch for nothing. The
backward() and step() run by the training helper stand at its call in the loop body's order
(``LoopRecord.update_calls``); before, a backward() placed in a callee's code hid the whole body."""

from snippets import findings

SOURCE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randn(32, 4)
y = torch.randint(0, 3, (32,))


def train():
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


DECORATOR
def test():
    model.eval()
    logits = model(x)
    return (logits.argmax(1) == y).float().mean().item()


for epoch in range(200):
    BODY
"""


def _source(body, decorator=""):
    return SOURCE.replace("DECORATOR\n", decorator).replace("    BODY", body)


def test_validation_helper_after_the_training_helper_is_reported():
    src = _source("    train()\n    acc = test()\n    print(epoch, acc)")
    assert findings(src, "GRD505") == [(22, "GRD505")]


def test_validation_helper_under_no_grad_is_silent():
    src = _source("    train()\n    acc = test()\n    print(epoch, acc)", "@torch.no_grad()\n")
    assert findings(src, "GRD505") == []


def test_validation_before_the_training_helper_is_no_trailing_validation():
    src = _source("    acc = test()\n    train()\n    print(epoch, acc)")
    assert findings(src, "GRD505") == []
