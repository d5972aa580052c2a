"""A module that trains itself: its optimizer is built on ``self.parameters()``, and its training method
takes the model to run as an argument, which the caller passes as the receiver too
(``model.train_model(model, batches)``). The loop's ``model.zero_grad()`` may clear exactly what
``self.optimizer`` steps: whether the argument is the receiver is not known in the method, so GRD501 stays
silent. A loop that clears nothing, or only a part of the receiver, and an optimizer over a fresh local
model with a clear of the argument, keep the finding."""

from snippets import case_maker, rule_tests

case = case_maker("GRD501")

_CLASS = """
import torch
import torch.nn as nn


class TextClassifier(nn.Module):
    def __init__(self, vocab, dim, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.fc = nn.Linear(dim, classes)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)

    def forward(self, x):
        return self.fc(self.embedding(x).mean(1))

    def train_model(self, model, batches, epochs):
        for epoch in range(epochs):
            model.train()
            for x, y in batches:
                pred = model(x)
                {clear}
                loss = self.criterion(pred, y)
                loss.backward()
                self.optimizer.step(){mark}


classifier = TextClassifier(50, 8, 3)
batches = [(torch.randint(0, 50, (4, 6)), torch.tensor([0, 1, 2, 0]))]
classifier.train_model(classifier, batches, 2)
"""

_LOCAL_MODEL = """
import torch
import torch.nn as nn


def distil(teacher, batches):
    student = nn.Linear(8, 3)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
    for x, y in batches:
        with torch.no_grad():
            target = teacher(x)
        loss = ((student(x) - target) ** 2).mean()
        teacher.zero_grad()
        loss.backward()
        optimizer.step()  # expect: GRD501


distil(nn.Linear(8, 3), [(torch.randn(4, 8), None)])
"""

POSITIVES = [
    case("nothing_cleared", _CLASS.format(clear="pass", mark="  # expect: GRD501"), lines=(25,)),
    case("part_of_the_receiver_cleared", _CLASS.format(clear="self.fc.zero_grad()", mark="  # expect: GRD501"),
         lines=(25,)),
    case("optimizer_over_a_fresh_local_model", _LOCAL_MODEL, lines=(15,)),
]

NEGATIVES = [
    case("argument_cleared_may_be_the_receiver", _CLASS.format(clear="model.zero_grad()", mark="")),
    case("receiver_cleared", _CLASS.format(clear="self.zero_grad()", mark="")),
]

test_fires, test_silent = rule_tests("GRD501", POSITIVES, NEGATIVES)
