"""GRD505: a test function of another file that warms its model up with one forward whose output it
drops (``model(torch.zeros(1, 3, s, s))  # run once``), then evaluates under ``torch.no_grad()``, was
reported at its call in the training script's loop over checkpoints (``for m in (last, best):
test.test(..., model=attempt_load(m))``, yolov7's train.py): the warm-up's graph is freed at once in the
callee, and the loop hands the call models, not batches. A helper that runs the model on each batch the
caller's loop gives it, dropping the output (filling batch-norm statistics with gradients on), is still
an evaluation pass over a dataset."""

from gradlint.analysis.project import forget_projects
from tests.snippets import lint_path, write_project

EVALUATE = """\
import torch


def evaluate(loader, model=None, weights=None):
    training = model is not None
    if not training:
        model = torch.load(weights)
    model.eval()
    if not training:
        model(torch.zeros(1, 3, 64, 64))  # run once
    correct = 0
    for x, y in loader:
        with torch.no_grad():
            out = model(x)
        correct += (out.argmax(1) == y).sum().item()
    return correct


def refresh_statistics(model, x):
    model(x)
"""

TRAIN = """\
import torch
import torch.nn as nn

from evaluate import evaluate, refresh_statistics


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


def main(loader, test_loader, paths):
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    for path in paths:
        candidate = Net()
        candidate.load_state_dict(torch.load(path))
        print(evaluate(test_loader, model=candidate))
{tail}
"""

OVER_BATCHES = """\
    model.eval()
    for x, _ in test_loader:
        refresh_statistics(model, x)
"""


def _lint(tmp_path, tail=""):
    forget_projects()
    write_project(tmp_path, {"evaluate.py": EVALUATE, "train.py": TRAIN.format(tail=tail)})
    return [finding for finding in lint_path(tmp_path / "train.py") if finding[1] == "GRD505"]


def test_a_called_test_whose_only_grad_mode_forward_is_a_dropped_warm_up_is_not_an_evaluation_loop(tmp_path):
    assert _lint(tmp_path) == []


def test_a_helper_given_each_batch_of_the_loop_that_drops_the_output_is_still_reported(tmp_path):
    assert _lint(tmp_path, OVER_BATCHES) == [(30, "GRD505")]
