"""Shapes of training code rewritten from public bug threads (forum, Stack Overflow, GitHub
issues) that the analysis misjudged: multi-file scripts, helpers, trainer classes.

Our own minimal programs; positives carry the findings they must give, negatives are the correct
look-alikes.
"""

from test_project import lint as _lint, write as _write

# ---- GRD505: an evaluation helper in a sibling module of a folder of scripts (no package),
# imported by its bare name (`from metrics import run_validation`) and called inside
# `with torch.no_grad():`. The no-grad scan only took relative imports and imports of the
# project's package, so the helper's grad mode stayed "enabled" and its forward was reported.

VALIDATION_HELPER = """\
    def run_validation(model, loader, criterion):
        model.eval()
        losses = []
        for x, y in loader:
            out = model(x)
            losses.append(criterion(out, y))
        return sum(losses) / len(losses)
    """

FIT_CALLS_UNDER_NO_GRAD = """\
    import torch

    from metrics import run_validation


    def fit(model, train_loader, val_loader, criterion, optimizer, epochs=2):
        for epoch in range(epochs):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                val = run_validation(model, val_loader, criterion)
            print(epoch, val.item())
    """


def test_grd505_helper_called_under_no_grad_from_a_sibling_script(tmp_path):
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": FIT_CALLS_UNDER_NO_GRAD})
    assert _lint(tmp_path / "metrics.py") == []


def test_grd505_helper_called_with_gradients_from_a_sibling_script(tmp_path):
    caller = FIT_CALLS_UNDER_NO_GRAD.replace("            with torch.no_grad():\n", "            if True:\n")
    _write(tmp_path, {"metrics.py": VALIDATION_HELPER, "train.py": caller})
    assert _lint(tmp_path / "metrics.py") == [(5, "GRD505")]



# ---- GRD501: `def train(model, loader, criterion, optimizer)` called as
# `train(net, data, loss_fn, SGD(net.parameters()))`. The optimizer came in with its owner named
# in the caller (`net`), so the callee's `model.zero_grad()` did not clear it and the step was
# reported as never cleared (gradient accumulation of the PyTorch-forum recipe, an LSTM language
# model clearing through the model). The binding now names the owner as the callee does.

from snippets import findings  # noqa: E402

ACCUMULATION_CLEARED_THROUGH_THE_MODEL = """\
import torch
import torch.nn as nn


def train(model, training_set, loss_function, optimizer, accumulation_steps=4):
    model.zero_grad()
    for i, (inputs, labels) in enumerate(training_set):
        loss = loss_function(model(inputs), labels) / accumulation_steps
        loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            model.zero_grad()


net = nn.Linear(6, 2)
data = [(torch.randn(2, 6), torch.tensor([0, 1])) for _ in range(8)]
train(net, data, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1))
"""

CLEARED_THROUGH_THE_MODEL_EACH_STEP = """\
import torch
import torch.nn as nn


def train(model, batches, criterion, optimizer):
    for inputs, targets in batches:
        loss = criterion(model(inputs), targets)
        model.zero_grad()
        loss.backward()
        optimizer.step()


lm = nn.Linear(4, 3)
train(lm, [(torch.randn(2, 4), torch.tensor([0, 2]))], nn.CrossEntropyLoss(), torch.optim.Adam(lm.parameters()))
"""

# the clear is another module's: the optimizer given over `net` is never cleared
CLEARED_ANOTHER_MODULE = """\
import torch
import torch.nn as nn


def train(model, teacher, batches, optimizer):
    for inputs, targets in batches:
        loss = nn.functional.mse_loss(model(inputs), teacher(inputs).detach())
        teacher.zero_grad()
        loss.backward()
        optimizer.step()


net, ref = nn.Linear(4, 3), nn.Linear(4, 3)
train(net, ref, [(torch.randn(2, 4), None)], torch.optim.Adam(net.parameters()))
"""


def test_grd501_model_zero_grad_clears_an_optimizer_passed_over_the_same_model():
    assert findings(ACCUMULATION_CLEARED_THROUGH_THE_MODEL, "GRD501") == []
    assert findings(CLEARED_THROUGH_THE_MODEL_EACH_STEP, "GRD501") == []


def test_grd501_zero_grad_of_another_module_passed_alongside():
    assert findings(CLEARED_ANOTHER_MODULE, "GRD501") == [(10, "GRD501")]


def test_grd501_no_clear_at_all_in_a_helper_given_the_optimizer():
    src = CLEARED_THROUGH_THE_MODEL_EACH_STEP.replace("        model.zero_grad()\n", "")
    assert findings(src, "GRD501") == [(9, "GRD501")]
