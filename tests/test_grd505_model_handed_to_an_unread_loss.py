"""GRD505: an evaluation loop that hands its model, in eval mode, with the batch to a loss the analysis
cannot read (``criterion(image, target, student, teacher)``, a distillation loss chosen at run time, or
a ``loss_fn`` parameter), while the file's training backpropagates a result of that same callable
(whole, or a part unpacked from it): the loss runs the model on the batch with gradients enabled."""

from tests.snippets import findings

HEAD = """\
import torch
import torch.nn as nn
"""

TRAIN_DISTILL = """
def train(student: nn.Module, teacher: nn.Module, loader, criterion: nn.Module, optimizer):
    for image, target in loader:
        out: tuple = criterion(image, target, student, teacher)
        loss, predict = out
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""

EVALUATE_DISTILL = """
def test(student: nn.Module, teacher: nn.Module, criterion: nn.Module, loader):
    student = student.eval()
    total = 0.0
    for image, target in loader:
        loss, predict = criterion(image, target, student, teacher)
        total += loss.mean().item()
    student = student.train()
    return total
"""


def _lines(source, code="GRD505"):
    return [line for line, found in findings(source, code) if found == code]


def test_a_distillation_loss_given_the_evaluated_student_and_the_batch():
    source = HEAD + EVALUATE_DISTILL + TRAIN_DISTILL
    assert _lines(source) == [8]


def test_a_loss_function_parameter_given_the_model_and_the_batch():
    source = HEAD + """
def evaluate(model, loader, loss_fn):
    model.eval()
    total = 0.0
    for batch in loader:
        loss = loss_fn(model, batch)
        total += loss.item()
    return total


def fit(model, loader, loss_fn, opt):
    model.train()
    for batch in loader:
        opt.zero_grad()
        loss = loss_fn(model, batch)
        loss.backward()
        opt.step()
"""
    assert _lines(source) == [8]


def test_silent_under_no_grad():
    source = HEAD + EVALUATE_DISTILL.replace(
        "    for image, target in loader:\n        loss, predict", "    with torch.no_grad():\n      for image, target in loader:\n        loss, predict"
    ).replace("        total += loss", "        total += loss") + TRAIN_DISTILL
    assert _lines(source) == []


def test_silent_when_the_file_never_backpropagates_the_callable():
    # a metric given the model: nothing says it builds a graph
    source = HEAD + EVALUATE_DISTILL + TRAIN_DISTILL.replace("loss.backward()", "print(loss)")
    assert _lines(source) == []


def test_silent_when_the_call_is_not_given_the_batch():
    source = HEAD + EVALUATE_DISTILL.replace(
        "criterion(image, target, student, teacher)", "criterion(student, teacher)"
    ) + TRAIN_DISTILL
    assert _lines(source) == []


def test_silent_when_the_model_is_not_in_eval_mode():
    source = HEAD + EVALUATE_DISTILL.replace("    student = student.eval()\n", "") + TRAIN_DISTILL
    assert _lines(source) == []


def test_a_loss_of_the_file_is_judged_by_its_own_body_once():
    # the callable is the file's own function: its summary records the forward it runs (one finding,
    # at the call, as before)
    source = HEAD + """
def compute_loss(model, batch):
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)


def evaluate(model, loader):
    model.eval()
    total = 0.0
    for batch in loader:
        loss = compute_loss(model, batch)
        total += loss.item()
    return total


def fit(model, loader, opt):
    for batch in loader:
        opt.zero_grad()
        loss = compute_loss(model, batch)
        loss.backward()
        opt.step()
"""
    assert _lines(source) == [13]


def test_the_message_names_the_model_run_inside_the_loss():
    source = HEAD + EVALUATE_DISTILL + TRAIN_DISTILL
    from gradlint.engine import lint_bytes
    from gradlint.rules import ALL_RULES

    found = [f for f in lint_bytes(source.encode(), "t.py", ALL_RULES) if f.code == "GRD505"]
    assert len(found) == 1 and "runs `student`" in found[0].message and "student.eval()" in found[0].message
