"""Loss histories kept in ``collections.defaultdict(list)``: a key's list is made by its first append.

``history = defaultdict(list)`` then ``history["loss"].append(loss)`` in the training loop and
``np.mean(history["loss"])`` or ``plt.plot(history["loss"])`` after it is as common as a dict
declared with its keys; each key's list holds what was appended under that literal key.
"""

from snippets import findings

TRAIN = """\
import numpy as np
import torch
import torch.nn as nn
from collections import defaultdict


def train(model, loader, optimizer, criterion, epochs):
    history = {factory}
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            history["loss"].append({kept})
            history["batch"].append(len(x))
        print(epoch, np.mean(history["loss"]))
    return history


model = nn.Linear(4, 2)
train(model, [], torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), 3)
"""


def test_defaultdict_list_keeps_what_each_key_was_given():
    src = TRAIN.format(factory="defaultdict(list)", kept="loss")
    assert findings(src, "GRD502", "GRD503") == [(15, "GRD502"), (17, "GRD503")]


def test_defaultdict_of_an_empty_list_lambda():
    src = TRAIN.format(factory="defaultdict(lambda: [])", kept="loss")
    assert findings(src, "GRD502", "GRD503") == [(15, "GRD502"), (17, "GRD503")]


def test_numbers_appended_stay_silent():
    for kept in ("loss.item()", "loss.detach()", "float(loss.item())"):
        assert findings(TRAIN.format(factory="defaultdict(list)", kept=kept), "GRD502", "GRD503") == []


def test_another_key_read_is_not_the_loss_list():
    src = TRAIN.format(factory="defaultdict(list)", kept="loss.item()").replace(
        'np.mean(history["loss"])', 'np.mean(history["batch"])'
    )
    assert findings(src, "GRD503") == []


def test_other_factories_are_not_known():
    # a defaultdict(int) running sum is not a list history: nothing is claimed about its items
    src = TRAIN.format(factory="defaultdict(int)", kept="loss").replace(
        'history["loss"].append(loss)', 'history["loss"] += loss.item()'
    )
    assert findings(src, "GRD502", "GRD503") == []
