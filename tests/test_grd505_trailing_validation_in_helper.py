"""GRD505 for a validation helper called at the end of a full-batch training loop's body: the epoch
loop switches the model with ``train()``, backpropagates and steps, then calls ``self.predict(...)``,
whose body switches the model with ``eval()`` and runs one forward with gradients enabled. As for the
same lines written inline (``trailing_validations``), the graph of that forward is recorded every
epoch for a backward() that never comes. The helper's switch and forward stand at its call in the
loop body's order (``LoopRecord.forward_calls``, as ``switch_calls`` for switches)."""

from snippets import findings

SOURCE = """
import torch
import torch.nn as nn
import torch.optim as optim


class Pipeline:
    def __init__(self, model, epochs):
        self.model = model
        self.epochs = epochs
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = optim.Adam(self.model.parameters(), lr=0.01)

    def train(self, x, y, train_mask, valid_mask):
        for epoch in range(self.epochs):
            self.model.train()
            logits = self.model(x)
            loss = self.criterion(logits[train_mask], y[train_mask])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            valid_acc = self.predict(x, y, valid_mask)
            print(epoch, loss.item(), valid_acc)

    DECORATOR
    def predict(self, x, y, mask):
        self.model.eval()
        logits = self.model(x)
        predicted = logits[mask].max(1)[1]
        return torch.eq(predicted, y[mask]).float().mean()


pipeline = Pipeline(nn.Linear(8, 3), 100)
x = torch.randn(20, 8)
y = torch.randint(0, 3, (20,))
mask = torch.rand(20) > 0.5
pipeline.train(x, y, mask, ~mask)
"""


def test_a_helper_validating_after_the_step_is_reported():
    src = SOURCE.replace("    DECORATOR\n", "")
    assert findings(src, "GRD505") == [(27, "GRD505")]


def test_the_helper_under_no_grad_is_silent():
    assert findings(SOURCE.replace("DECORATOR", "@torch.no_grad()"), "GRD505") == []


def test_a_helper_called_before_the_backward_is_no_trailing_validation():
    # its forward comes before the body's backward() and step(): not judged as a validation after them
    src = SOURCE.replace("    DECORATOR\n", "").replace(
        "            logits = self.model(x)\n            loss = self.criterion(logits[train_mask], y[train_mask])",
        "            valid_acc = self.predict(x, y, valid_mask)\n            self.model.train()\n"
        "            logits = self.model(x)\n            loss = self.criterion(logits[train_mask], y[train_mask])",
    ).replace("            valid_acc = self.predict(x, y, valid_mask)\n            print", "            print")
    assert findings(src, "GRD505") == []


def test_a_loop_that_never_switches_back_is_left_to_grd510():
    src = SOURCE.replace("    DECORATOR\n", "").replace("            self.model.train()\n", "")
    assert findings(src, "GRD505") == []
