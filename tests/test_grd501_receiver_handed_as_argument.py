"""A module that trains itself: its optimizer is built on ``self.parameters()``, and its training method
takes the model to run as an argument, which the caller passes as the receiver too
(``model.train_model(model, batches)``). The loop's ``model.zero_grad()`` may clear exactly what
``self.optimizer`` steps: whether the argument is the receiver is not known in the method, so GRD501 stays
silent, also when the method reloads the best model into that name after training. A loop that clears
nothing, or only a part of the receiver, or an argument replaced by a fresh module before the loop, and an
optimizer over a fresh local model with a clear of the argument, keep the finding."""

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

    def train_model(self, model, batches, epochs, path="best.pt"):
        {rebind}
        for epoch in range(epochs):
            model.train()
            for x, y in batches:
                pred = model(x)
                {clear}
                loss = self.criterion(pred, y)
                loss.backward()
                self.optimizer.step(){mark}
        {reload}


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

_MARK = "  # expect: GRD501"


def _program(clear, mark="", rebind="", reload=""):
    return _CLASS.format(clear=clear, mark=mark, rebind=rebind, reload=reload)


POSITIVES = [
    case("nothing_cleared", _program("pass", _MARK), lines=(26,)),
    case("part_of_the_receiver_cleared", _program("self.fc.zero_grad()", _MARK), lines=(26,)),
    case(
        "argument_replaced_by_a_fresh_module_before_the_loop",
        _program("model.zero_grad()", _MARK, rebind="model = nn.Linear(8, 3)"),
        lines=(26,),
    ),
    case("optimizer_over_a_fresh_local_model", _LOCAL_MODEL, lines=(15,)),
]

NEGATIVES = [
    case("argument_cleared_may_be_the_receiver", _program("model.zero_grad()")),
    case("best_model_reloaded_after_training", _program("model.zero_grad()", reload="model = torch.load(path)")),
    case("receiver_cleared", _program("self.zero_grad()")),
]

test_fires, test_silent = rule_tests("GRD501", POSITIVES, NEGATIVES)
