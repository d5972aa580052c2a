"""A running mean or an exponential average of a loss, written as a rebinding that scales the old
value (``avg = loss / (n + 1) + avg * n / (n + 1)``, ``avg = (avg * n + loss) / (n + 1)``,
``smooth = 0.9 * smooth + 0.1 * loss``), keeps the previous total inside the new one just as
``total = total + loss`` does: every batch's graph stays reachable (GRD502). A recurrence inside a
module's forward, a mean of ``.item()`` values, and an update that multiplies by the old value are
not such totals."""

from snippets import case_maker, rule_tests

case = case_maker("GRD502")

MODEL = """\
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(16, 32)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


"""

TRAIN = """\


def train(loader, val_loader, epochs):
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(validate(val_loader))
"""

POSITIVES = [
    case(
        "incremental_mean_over_validation_batches",
        MODEL
        + """\
def validate(loader):
    model.eval()
    avg_loss = 0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        avg_loss = loss / (i + 1) + avg_loss * i / (i + 1)  # expect: GRD502
    model.train()
    return avg_loss
"""
        + TRAIN,
        lines=(25,),
    ),
    case(
        "mean_rescaled_after_the_sum",
        MODEL
        + """\
def validate(loader):
    model.eval()
    mean = 0.0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        mean = (mean * i + loss) / (i + 1)  # expect: GRD502
    model.train()
    return mean
"""
        + TRAIN,
        lines=(25,),
    ),
    case(
        "exponential_average_in_a_training_loop",
        MODEL
        + """\
def fit(loader, epochs):
    smooth = 0.0
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            smooth = 0.98 * smooth + 0.02 * loss  # expect: GRD502
        print(f"epoch {epoch}: smoothed loss {float(smooth):.4f}")
    return smooth
"""
        + "",
        lines=(28,),
    ),
]

NEGATIVES = [
    case(
        "mean_of_item_values",
        MODEL
        + """\
def validate(loader):
    model.eval()
    avg_loss = 0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        avg_loss = loss.item() / (i + 1) + avg_loss * i / (i + 1)
    model.train()
    return avg_loss
"""
        + TRAIN,
    ),
    case(
        "leaky_recurrence_inside_a_forward",
        """\
import torch
import torch.nn as nn


class LeakyIntegrator(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(8, 8)
        self.readout = nn.Linear(8, 2)

    def forward(self, seq):
        state = torch.zeros(seq.shape[1], 8)
        for x in seq:
            state = 0.9 * state + 0.1 * torch.tanh(self.inp(x))
        return self.readout(state)


net = LeakyIntegrator()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(10):
    opt.zero_grad()
    loss = net(torch.randn(5, 3, 8)).pow(2).mean()
    loss.backward()
    opt.step()
""",
    ),
    case(
        "product_with_the_old_value_is_no_scaling",
        MODEL
        + """\
def validate(loader):
    model.eval()
    score = 1.0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        score = score * score + loss.item()
    model.train()
    return score
"""
        + TRAIN,
    ),
]

test_fires, test_silent = rule_tests("GRD502", POSITIVES, NEGATIVES)
