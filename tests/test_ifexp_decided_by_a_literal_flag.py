"""A conditional expression on a flag the call binds to a literal runs one arm, as an ``if`` does.

``run_epoch(model, data, opt, False)`` after ``model.train(training)``: ``out = model(x) if training else y``
runs no forward in that call, so no evaluation forward is kept there (a GRD505 false alarm: both arms were
walked and joined). The arm the flag takes is judged as it stands.
"""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def run_epoch(model, data, opt, training):
    model.train(training)
    total = 0.0
    for x, y in data:
        out = OUTPUT
        loss = ((out - y) ** 2).mean()
        if training:
            opt.zero_grad()
            loss.backward()
            opt.step()
        total += loss.item()
    return total


def main():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = [(torch.randn(2, 4), torch.randn(2, 1))]
    for epoch in range(3):
        run_epoch(model, data, opt, True)
        run_epoch(model, data, opt, False)


if __name__ == "__main__":
    main()
"""


def test_the_arm_the_flag_does_not_take_runs_nothing():
    assert findings(PROGRAM.replace("OUTPUT", "model(x) if training else y"), "GRD505") == []


def test_the_arm_the_flag_takes_is_judged():
    # the evaluation call runs the model in eval mode with gradients on
    assert findings(PROGRAM.replace("OUTPUT", "y if training else model(x)"), "GRD505") == [(9, "GRD505")]


CONFIGURED_SCALER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, config):
        self.model = model
        self.config = config
        self.opt = torch.optim.SGD(model.parameters(), lr=0.1)
        self.scaler = torch.amp.GradScaler("cpu") if config.get("amp") else None

    def step(self, x, y):
        loss = nn.functional.mse_loss(self.model(x), y)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()
        if self.config.get("clip"):
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)  # expect: GRD509
        if self.scaler is not None:
            self.scaler.step(self.opt)
            self.scaler.update()
        else:
            self.opt.step()
        self.opt.zero_grad()


if __name__ == "__main__":
    trainer = Trainer(nn.Linear(4, 1), {"amp": True, "clip": True})
    trainer.step(torch.randn(2, 4), torch.randn(2, 1))
"""


def test_a_scaler_made_under_a_config_entry_keeps_both_arms():
    # (the entry's value is the caller's; the class's other methods test the field, not the entry)
    assert findings(CONFIGURED_SCALER, "GRD509") == [(19, "GRD509")]
