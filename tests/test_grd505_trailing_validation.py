"""GRD505: a validation step at the end of a full-batch training loop's body (corpus29
TranSirius/GCN-pytorch gcn_main.py:94: ``model.train()``, forward, ``backward()``, ``step()``, then
``model.eval(); logits = model(features)`` and the validation loss, every epoch). The loop
backpropagates, so its forwards were never judged; but this forward comes after every backward() and
step() of the body, after its own ``eval()``, and the model goes back to ``train()`` at the start of
the next iteration: nothing backpropagates its output, and it records a graph of the whole model each
epoch. Not reported: the same step under no_grad, an eval-mode forward that the body backpropagates
(batch-norm kept frozen), and a body that never switches the model back to train()."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_LOOP = """
import torch
import torch.nn as nn
import torch.nn.functional as F

features = torch.randn(50, 8)
labels = torch.randint(0, 3, (50,))
train_mask = torch.rand(50) < 0.6
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
history = []
for epoch in range(5):
    model.train()
    optimizer.zero_grad()
    logits = model(features)
    loss = F.cross_entropy(logits[train_mask], labels[train_mask])
    loss.backward()
    optimizer.step()
{validation}
    history.append(val_loss.item())
print(history)
"""

_BARE = """\
    model.eval()
    logits = model(features)  # expect: GRD505
    val_loss = F.cross_entropy(logits[~train_mask], labels[~train_mask])"""

_NO_GRAD = """\
    model.eval()
    with torch.no_grad():
        logits = model(features)
        val_loss = F.cross_entropy(logits[~train_mask], labels[~train_mask])"""

_FROZEN_NORM = """
import torch
import torch.nn as nn
import torch.nn.functional as F

features = torch.randn(50, 8)
labels = torch.randint(0, 3, (50,))
model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(5):
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(features), labels)
    loss.backward()
    optimizer.step()
    model.eval()
    optimizer.zero_grad()
    tuned = F.cross_entropy(model(features), labels)
    tuned.backward()
    optimizer.step()
"""

POSITIVES = [
    case("validation_after_the_last_step", _LOOP.format(validation=_BARE), lines=(20,)),
]

NEGATIVES = [
    case("validation_under_no_grad", _LOOP.format(validation=_NO_GRAD)),
    case("eval_mode_forward_backpropagated_after", _FROZEN_NORM),
    case(
        "never_switched_back_to_train",
        _LOOP.format(validation=_BARE.replace("  # expect: GRD505", "")).replace("    model.train()\n", ""),
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
