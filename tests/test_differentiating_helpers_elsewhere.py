"""GRD505: an eval-mode loop that hands its loss to a function of another project file taking
``torch.autograd.grad`` (a meta-learning inner step) differentiates on purpose, as one calling a
function of its own file does; a re-exporting package keeps the function's own module."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

STEPS = """\
import torch


def inner_update(net, objective):
    grads = torch.autograd.grad(objective, list(net.parameters()))
    return [p - 0.1 * g for p, g in zip(net.parameters(), grads)]


def score(net, batch):
    return net(batch).mean()
"""

LOOP = """\
import torch
import torch.nn as nn
{imports}

learner = nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.2))
learner.eval()
for batch in [torch.randn(3, 5) for _ in range(6)]:
    learner.zero_grad()
    objective = learner(batch).pow(2).mean()
    {call}
"""


def _lint(root, files, target):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_loss_handed_to_a_differentiating_function_of_another_file(tmp_path):
    run = LOOP.format(imports="from meta.steps import inner_update", call="fast = inner_update(learner, objective)")
    files = {"meta/__init__.py": "", "meta/steps.py": STEPS, "run.py": run}
    assert _lint(tmp_path, files, "run.py") == []


def test_through_a_package_that_re_exports_it(tmp_path):
    run = LOOP.format(imports="from meta import inner_update", call="fast = inner_update(learner, objective)")
    files = {"meta/__init__.py": "from .steps import inner_update, score\n", "meta/steps.py": STEPS, "run.py": run}
    assert _lint(tmp_path, files, "run.py") == []


def test_a_function_elsewhere_that_only_evaluates_is_no_excuse(tmp_path):
    run = LOOP.format(imports="from meta.steps import score", call="print(score(learner, batch).item())")
    files = {"meta/__init__.py": "", "meta/steps.py": STEPS, "run.py": run}
    assert (9, "GRD505") in _lint(tmp_path, files, "run.py")
