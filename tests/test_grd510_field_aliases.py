"""GRD510 and a field that is another name of the model's field: a learner keeps
``self.body = self.net`` (rebound to ``self.net.module`` when the network is wrapped in
``DataParallel``), its ``set_train()`` calls ``self.body.train()`` at the top of each epoch and its
``accuracy()`` calls ``self.net.eval()`` after it: the two fields name one module, so each epoch
trains in training mode. A field also bound to another object (a copy of the network), or a
``set_train()`` that switches a field bound to something else, still leaves the model in eval mode.
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

LEARNER = """\
import copy

import torch
from torch import nn, optim
import torch.nn.functional as F


class Learner:
    def __init__(self, net, head):
        self.net = net
        self.head = head
        self.body = BODY

    def set_train(self):
        self.body.train()

    def accuracy(self, loader):
        self.net.eval()  # MARK
        correct = 0
        for x, y in loader:
            with torch.no_grad():
                correct += (self.net(x).argmax(1) == y).sum().item()
        return correct
EXTRA
    def fit(self, loader, test_loader, epochs):
        if isinstance(self.net, nn.DataParallel):
            self.body = self.net.module
        optimizer = optim.SGD(self.net.parameters(), lr=0.1)
        for epoch in range(epochs):
            self.set_train()
            for x, y in loader:
                loss = F.cross_entropy(self.net(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            print(self.accuracy(test_loader))
"""

SNAPSHOT = """
    def snapshot(self):
        self.body = copy.deepcopy(self.net)
"""


def _learner(body="self.net", extra="", marked=False):
    text = LEARNER.replace("BODY", body).replace("EXTRA", extra)
    return text.replace("  # MARK", "  # expect: GRD510" if marked else "")


POSITIVES = [
    case("alias-also-bound-to-a-copy", _learner(extra=SNAPSHOT, marked=True), [18]),
    case("other-field-trained", _learner(body="self.head", marked=True), [18]),
]

NEGATIVES = [
    case("alias-of-the-model-field", _learner()),
    case("alias-of-the-wrapped-module", _learner(body="self.net.module")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
