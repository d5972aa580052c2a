"""Whole programs whose pitfalls hinge on named tuples of losses, on ``self.forward(...)`` called
by hand, and on a gradient scaler known only from how a function uses it.

Every line that must be reported carries ``# expect: CODE``; a snippet is checked at the
default selection against exactly those markers, so a negative is a snippet with none.
"""

import textwrap

import pytest
from test_interprocedural import expected, reported


TRAINER = textwrap.dedent(
    """\
    from collections import namedtuple

    import torch
    import torch.nn as nn

    LossTuple = namedtuple("LossTuple", ["cls_loss", "reg_loss", "total_loss"])


    class Trainer(nn.Module):
        def __init__(self, net, optimizer):
            super().__init__()
            self.net = net
            self.optimizer = optimizer

        def forward(self, x, y):
            out = self.net(x)
            cls_loss = ((out - y) ** 2).mean()
            reg_loss = out.abs().mean()
            losses = [cls_loss, reg_loss]
            losses = losses + [sum(losses)]
            return LossTuple(*losses)

        def train_step(self, x, y):
            self.optimizer.zero_grad()
            losses = self.forward(x, y)
            losses.total_loss.backward()
            self.optimizer.step()
            return losses


    net = nn.Linear(4, 1)
    trainer = Trainer(net, torch.optim.SGD(net.parameters(), lr=0.1))
    batches = [(torch.randn(2, 4), torch.randn(2, 1))] * 3
    """
)

PROGRAMS = {
    "namedtuple-of-losses-from-a-hand-called-forward-accumulated": TRAINER
    + textwrap.dedent(
        """\
    total_loss = 0
    cls_total = 0
    for x, y in batches:
        losses = trainer.train_step(x, y)
        cls_loss, reg_loss, total = losses
        total_loss += total  # expect: GRD502
        cls_total += losses.cls_loss  # expect: GRD502
    print(total_loss / 3, cls_total / 3)
    """
    ),
    "namedtuple-of-losses-accumulated-as-numbers": TRAINER
    + textwrap.dedent(
        """\
    total_loss = 0
    for x, y in batches:
        losses = trainer.train_step(x, y)
        total_loss += losses.total_loss.item()
        total_loss += float(losses.cls_loss.detach())
    print(total_loss / 3)
    """
    ),
    "namedtuple-of-losses-computed-under-no-grad": TRAINER
    + textwrap.dedent(
        """\
    val_loss = 0
    with torch.no_grad():
        for x, y in batches:
            val_loss += trainer(x, y).total_loss
    print(val_loss / 3)
    """
    ),
    "namedtuple-built-with-keywords-and-a-plain-number-field": """\
    import collections

    import torch
    import torch.nn as nn

    Step = collections.namedtuple("Step", "loss size")

    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = []
    seen = 0
    for x in [torch.randn(2, 4)] * 3:
        optimizer.zero_grad()
        step = Step(size=len(x), loss=model(x).pow(2).mean())
        step.loss.backward()
        optimizer.step()
        seen += step.size
        history.append(step.loss)  # expect: GRD502
    print(seen, len(history))
    """,
    "tuple-of-a-hand-called-forward-unpacked-and-accumulated": """\
    import torch
    import torch.nn as nn


    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 4)
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            h = self.body(x)
            return self.head(h), h.norm()


    model = TwoHeads()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    penalties = 0
    for x in [torch.randn(2, 4)] * 3:
        optimizer.zero_grad()
        out, penalty = model.forward(x)
        (out.mean() + penalty).backward()
        optimizer.step()
        penalties += penalty  # expect: GRD502
    print(penalties)
    """,
    "namedtuple-of-concatenated-tuples": """\
    from collections import namedtuple

    import torch
    import torch.nn as nn

    Parts = namedtuple("Parts", "main aux total")

    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = 0
    aux_sum = 0
    for x in [torch.randn(2, 4)] * 3:
        optimizer.zero_grad()
        main = model(x).mean()
        parts = Parts(*((main, 0.0) + (main * 2,)))
        parts.total.backward()
        optimizer.step()
        steps += parts.aux
        aux_sum += parts.main  # expect: GRD502
    print(steps, aux_sum)
    """,
    "field-of-a-namedtuple-proven-by-its-backward": """\
    from collections import namedtuple

    from detection_losses import box_loss, class_loss

    LossTuple = namedtuple("LossTuple", ["box", "cls", "total"])


    def train_step(model, optimizer, images, targets):
        optimizer.zero_grad()
        box, cls = box_loss(model, images, targets), class_loss(model, images, targets)
        losses = LossTuple(box, cls, box + cls)
        losses.total.backward()
        optimizer.step()
        return losses


    def fit(model, optimizer, loader):
        running = 0
        boxes = 0
        for images, targets in loader:
            _, cls, total = train_step(model, optimizer, images, targets)
            running += total  # expect: GRD502
            boxes += train_step(model, optimizer, images, targets).box
        return running, boxes
    """,
    "field-of-a-namedtuple-backpropagated-on-one-branch-only": """\
    from collections import namedtuple

    from detection_losses import box_loss, class_loss

    LossTuple = namedtuple("LossTuple", ["box", "cls", "total"])


    def train_step(model, optimizer, images, targets, warmup):
        optimizer.zero_grad()
        box, cls = box_loss(model, images, targets), class_loss(model, images, targets)
        losses = LossTuple(box, cls, box + cls)
        if warmup:
            losses.total.backward()
            optimizer.step()
        return losses


    def fit(model, optimizer, loader):
        running = 0
        for images, targets in loader:
            running += train_step(model, optimizer, images, targets, True).total
        return running
    """,
    "scaler-known-by-its-protocol-clipped-before-unscaling": """\
    import torch


    def train_one_epoch(model, loader, optimizer, scaler, max_norm):
        for x, y in loader:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)  # expect: GRD509
            scaler.step(optimizer)
            scaler.update()
    """,
    "scaler-known-by-its-protocol-unscaled-before-clipping": """\
    import torch


    def train_one_epoch(model, loader, optimizer, scaler, max_norm):
        for x, y in loader:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scaler.step(optimizer)
            scaler.update()
    """,
    "scale-method-of-something-that-is-not-stepped-and-updated": """\
    import torch


    def train_one_epoch(model, loader, optimizer, weighting, max_norm):
        for x, y in loader:
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            weighting.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
    """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program(name):
    src = textwrap.dedent(PROGRAMS[name])
    assert reported(src) == expected(src)
