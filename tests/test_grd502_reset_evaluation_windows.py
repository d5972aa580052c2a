"""GRD502: an accumulator the loop starts afresh now and then (``running = 0.0`` after logging every
100 batches). In a training loop that is a bounded window: each ``backward()`` frees the saved
activations, and what the kept sums hold is a chain of small nodes. An EVALUATION loop with
gradients on never backpropagates: every batch added in the window keeps its whole graph with the
forward's activations, so the window keeps 100 forwards' activations alive. Only a reset in every
iteration (one graph at a time) bounds that; a reset under a condition does not silence it there."""

from snippets import case_maker, rule_tests

case = case_maker("GRD502")

_HEAD = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
criterion = nn.CrossEntropyLoss()
"""

_EVALUATION = _HEAD + """

def evaluate(loader):
    model.eval()
    running = 0.0
    for i, (x, y) in enumerate(loader):
        running += criterion(model(x), y)  # expect: GRD502
        if i % 100 == 99:
            print(f"loss {running.item() / 100:.3f}")
            running = 0.0
"""

_EVALUATION_LIST = _HEAD + """

def evaluate(loader):
    window = []
    for i, (x, y) in enumerate(loader):
        window.append(criterion(model(x), y))  # expect: GRD502
        if len(window) == 50:
            print(torch.stack(window).mean().item())
            window = []
"""

_TRAINING = _HEAD + """

def train(loader, optimizer):
    running = 0.0
    for i, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        running += loss
        if i % 100 == 99:
            print(f"loss {running.item() / 100:.3f}")
            running = 0.0
"""

_ACCUMULATION = _HEAD + """

def train(loader, optimizer, accumulation=4):
    window_loss = 0.0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y) / accumulation
        loss.backward()
        window_loss += loss
        if (i + 1) % accumulation == 0:
            optimizer.step()
            optimizer.zero_grad()
            print(f"window loss {window_loss.item():.3f}")
            window_loss = 0.0
"""

_EVERY_ITERATION = _HEAD + """

def evaluate(loader):
    running = 0.0
    for x, y in loader:
        running += criterion(model(x), y)
        print(running.item())
        running = 0.0
"""

_NO_GRAD = _EVALUATION.replace("  # expect: GRD502", "").replace(
    "    for i, (x, y) in enumerate(loader):\n        running",
    "    for i, (x, y) in enumerate(loader):\n        with torch.no_grad():\n            running",
)

_ITEMS = _EVALUATION.replace("  # expect: GRD502", "").replace("criterion(model(x), y)", "criterion(model(x), y).item()").replace(
    "running.item()", "running"
)

POSITIVES = [
    case("evaluation_loop_reset_every_100_batches", _EVALUATION, lines=(13,)),
    case("evaluation_window_list_reset_when_full", _EVALUATION_LIST, lines=(12,)),
]

NEGATIVES = [
    case("training_loop_reset_after_logging", _TRAINING),
    case("gradient_accumulation_window_reset", _ACCUMULATION),
    case("evaluation_loop_reset_in_every_iteration", _EVERY_ITERATION),
    case("evaluation_loop_under_no_grad_reset", _NO_GRAD),
    case("evaluation_loop_of_items_reset", _ITEMS),
]

test_fires, test_silent = rule_tests("GRD502", POSITIVES, NEGATIVES)
