"""GRD510 and a validation helper that ran before the loop on another model: a distillation script
prints the teacher's accuracy with ``test(teacher)`` before training, then trains the student through
a wrapper (``d_net = Distiller(teacher, student)``, whose training function starts with
``d_net.train()``) and validates it each epoch with ``test(student)``. The student is never forwarded
by its own name in training mode; the earlier ``test(teacher)`` says nothing of it (the rule took any
earlier call of the helper for an initial validation of the model it judges). The same helper run
first on the student itself, positionally or by keyword, is still the initial validation that
leaves a model trained by its own name in eval mode, as the validation in the loop does when
nothing restores it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

HEAD = """\
import torch
from torch import nn, optim
import torch.nn.functional as F


def test(net, loader):
    net.eval()  # MARK
    correct = 0
    for x, y in loader:
        correct += (net(x).argmax(1) == y).sum().item()
    return correct


loader = [(torch.randn(8, 20), torch.randint(0, 10, (8,)))]
teacher = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 10))
student = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 10))
"""

DISTILLED = """\


class Distiller(nn.Module):
    def __init__(self, teacher, student):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def forward(self, x):
        with torch.no_grad():
            target = F.softmax(self.teacher(x), 1)
        out = self.student(x)
        return out, F.kl_div(F.log_softmax(out, 1), target, reduction="batchmean")


def train_epoch(d_net, optimizer):
    d_net.train()
    for x, y in loader:
        out, kd = d_net(x)
        loss = F.cross_entropy(out, y) + kd
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


d_net = Distiller(teacher, student)
optimizer = optim.SGD(student.parameters(), lr=0.1)
print(test(teacher, loader))
for epoch in range(10):
    train_epoch(d_net, optimizer)
    print(test(student, loader))
"""

DIRECT = """\
optimizer = optim.SGD(student.parameters(), lr=0.1)
print(FIRST)
for epoch in range(10):
    for x, y in loader:
        loss = F.cross_entropy(student(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(test(student, loader))
"""


def _marked(text, marked):
    return text.replace("  # MARK", "  # expect: GRD510" if marked else "")


POSITIVES = [
    case("student-validated-first", _marked(HEAD + DIRECT.replace("FIRST", "test(student, loader)"), True), [7]),
    case("student-validated-first-by-keyword", _marked(HEAD + DIRECT.replace("FIRST", "test(net=student, loader=loader)"), True), [7]),
    case("teacher-validated-first-student-trained-directly", _marked(HEAD + DIRECT.replace("FIRST", "test(teacher, loader)"), True), [7]),
]

IN_A_FUNCTION = """\


def fit(model, epochs):
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    record = [test(loader=loader, net=model)]
    for epoch in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        record.append(test(model, loader))
    return record


fit(student, 10)
"""

POSITIVES.append(case("validated-first-by-keyword-in-a-function", _marked(HEAD + IN_A_FUNCTION, True), [7]))

NEGATIVES = [
    case("teacher-validated-first", _marked(HEAD + DISTILLED, False)),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
