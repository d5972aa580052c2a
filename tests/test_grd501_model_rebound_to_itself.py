"""GRD501 in a loop that rebinds its model name to the very module it already holds: ``model =
model.to(device)`` (a module's ``.to()`` returns the module), ``model = best`` where every binding of
``best`` is the model, or a name bound from the model just before in the same block (``head =
model; head.fc = nn.Linear(...); model = head``). The optimizer's parameters, and their gradients,
carry over from one iteration to the next, so a loop that never clears them still accumulates
(corpus30 arunsivakumar5 train.py: a classifier head swapped in place at epoch 75, no zero_grad).
A loop that builds a new model (and its optimizer) in each iteration, or binds the name to another
model, stays silent: nothing carries over, or what does is not known.
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)

HEADER = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, classes=2):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(torch.relu(self.body(x)))


"""

SWAPPED_HEAD = HEADER + """\
def fit(loader, epochs, device):
    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        for x, y in loader:
            if epoch == 3:
                head = model
                head.fc = nn.Linear(16, 3)
                model = head
                model = model.to(device)
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()  # expect: GRD501
"""

BEST_KEPT = HEADER + """\
def fit(loader, epochs, evaluate):
    model = Net()
    optimizer = torch.optim.Adam(model.parameters())
    best_score = 0.0
    for epoch in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()  # expect: GRD501
            current = model
            score = evaluate(model)
            if score > best_score:
                best_score = score
                best = model
                model = current
            else:
                model = best
"""

MOVED_EACH_BATCH = HEADER + """\
def fit(loader, device):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        model = model.to(device).train()
        loss = nn.functional.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        optimizer.step()  # expect: GRD501
"""

FRESH_EACH_TRIAL = HEADER + """\
def search(loader, rates):
    for lr in rates:
        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        x, y = next(iter(loader))
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
"""

def swapped_at_epoch_3(*swap):
    """A loop that rebinds ``model`` at epoch 3 through the statements ``swap``, never clearing."""
    return HEADER + """\
def fit(loader, epochs, spare):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for x, y in loader:
            if epoch == 3:
""" + "".join(" " * 16 + line + "\n" for line in swap) + """\
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
"""


CLEARED = HEADER + """\
def fit(loader, epochs, device):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        for x, y in loader:
            model = model.to(device)
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
"""

POSITIVES = [
    case("head-swapped-through-an-alias", SWAPPED_HEAD, [28]),
    case("best-and-current-names-of-the-model", BEST_KEPT, [23]),
    case("moved-and-switched-each-batch", MOVED_EACH_BATCH, [22]),
]

NEGATIVES = [
    case("fresh-model-and-optimizer-each-trial", FRESH_EACH_TRIAL),
    case("alias-of-a-fresh-model", swapped_at_epoch_3("head = Net(3)", "model = head")),
    case("name-rebound-to-another-model-between", swapped_at_epoch_3("head = model", "model = spare", "model = head")),
    case("cleared-each-batch", CLEARED),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
