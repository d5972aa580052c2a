"""GRD510 and a validation run on the last iteration of the batch loop only: a training script
validates once the epoch's last batch has trained, ``if batch_id + 1 >= len(train_loader):
model.eval(); ...`` inside ``for batch_id, (x, y) in enumerate(train_loader):``, and the epoch loop
starts with ``model.train()``. No later iteration of the batch loop runs, so its training forward
never sees eval mode. The same test without ``model.train()`` at the top of the epoch, a test that
holds on earlier iterations too (``batch_id + 2 >= len(...)``, ``batch_id % 100 == 0``) or a
comparison with another loader's length still report.
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

SCRIPT = """\
import torch
from torch import nn, optim
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 10))
optimizer = optim.SGD(model.parameters(), lr=0.1)
train_loader = [(torch.randn(8, 20), torch.randint(0, 10, (8,)))] * 4
valid_loader = train_loader[:2]

for epoch in range(10):
    RESTORE
    for LOOP:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if TEST:
            model.eval()  # MARK
            with torch.no_grad():
                valid = sum(F.cross_entropy(model(vx), vy).item() for vx, vy in valid_loader)
            print(epoch, valid)
"""

ENUMERATED = "batch_id, (x, y) in enumerate(train_loader)"
COUNTED = "batch_id in range(len(train_loader))"


def _script(test="batch_id + 1 >= len(train_loader)", loop=ENUMERATED, restore="model.train()", marked=False):
    text = SCRIPT.replace("TEST", test).replace("LOOP", loop).replace("RESTORE", restore)
    if loop == COUNTED:
        text = text.replace("        optimizer.zero_grad()\n", "        x, y = train_loader[batch_id]\n        optimizer.zero_grad()\n", 1)
    return text.replace("  # MARK", "  # expect: GRD510" if marked else "")


POSITIVES = [
    case("not-restored-by-the-epoch", _script(restore="pass", marked=True), [18]),
    case("last-two-iterations", _script(test="batch_id + 2 >= len(train_loader)", marked=True), [18]),
    case("every-hundred-batches", _script(test="batch_id % 100 == 0", marked=True), [18]),
    case("another-loaders-length", _script(test="batch_id + 1 == len(valid_loader)", marked=True), [18]),
]

NEGATIVES = [
    case("last-batch", _script()),
    case("last-batch-equal", _script(test="batch_id == len(train_loader) - 1")),
    case("last-batch-reversed", _script(test="len(train_loader) == batch_id + 1")),
    case("last-index-of-a-range", _script(test="batch_id + 1 == len(train_loader)", loop=COUNTED)),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
