"""The training helpers of a small project. Linted alone, `train`'s parameters are unknown;
gradlint reads `run.py`, which calls it with a real model and optimizer, and reports here."""


def train(model, loader, optimizer, criterion):
    model.train()
    for inputs, targets in loader:
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()  # expect: GRD501


def validate(model, loader, criterion):
    model.eval()
    total = 0.0
    for inputs, targets in loader:
        total += criterion(model(inputs), targets).item()
    return total / max(len(loader), 1)
