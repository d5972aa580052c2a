"""A parameter the function both calls and switches with ``.train()``/``.eval()`` is a model (``evidence``).

``def train(model, train_loader, val_loader, criterion, optimizer, epochs):`` with no caller in the
file: the epoch loop trains ``model``, then evaluates it after ``model.eval()``, and never calls
``model.train()`` again, so from the second epoch on dropout and batch norm train in evaluation
mode (GRD510). ``model`` used to stay unknown, since nothing in the file shows what it is.
"""

from snippets import findings

TRAIN = """\
import torch


def train(model, train_loader, val_loader, criterion, optimizer, epochs):
    for epoch in range(epochs):
        TOP
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()  # expect: GRD510
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(epoch, correct)
"""


def marked(src):
    return [(n, "GRD510") for n, line in enumerate(src.splitlines(), 1) if "# expect: GRD510" in line]


def test_eval_in_the_epoch_loop_of_a_train_function_nobody_calls():
    src = TRAIN.replace("TOP", "pass")
    assert findings(src, "GRD510") == marked(src) == [(12, "GRD510")]


def test_train_at_the_top_of_each_epoch_is_silent():
    assert findings(TRAIN.replace("TOP", "model.train()"), "GRD510") == []


def test_eval_after_the_epoch_loop_is_silent():
    # switched once training is over: the caller evaluates next
    src = TRAIN.replace("TOP", "pass").replace("        model.eval()  # expect: GRD510\n", "") + "    model.eval()\n"
    assert findings(src, "GRD510") == []


def test_an_object_only_switched_says_nothing():
    # `evaluator.eval()` of a project object: not called, so not known to be a model
    src = TRAIN.replace("TOP", "pass").replace("model.eval()  # expect: GRD510", "evaluator.eval()").replace(
        "criterion, optimizer, epochs", "criterion, optimizer, epochs, evaluator"
    )
    assert findings(src, "GRD510") == []


def test_a_teacher_switched_in_the_loop_and_run_without_gradients_is_silent():
    src = """\
    import torch


    def distill(student, teacher, loader, criterion, optimizer, epochs):
        for epoch in range(epochs):
            student.train()
            teacher.eval()
            for x, y in loader:
                with torch.no_grad():
                    soft = teacher(x)
                loss = criterion(student(x), soft)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    """
    assert findings(src, "GRD510") == []


def test_a_rebound_parameter_is_not_judged_by_use():
    src = TRAIN.replace("TOP", "pass").replace(
        "    for epoch in range(epochs):", "    model = build(model)\n    for epoch in range(epochs):", 1
    )
    assert findings(src, "GRD510") == []
