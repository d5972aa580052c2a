"""What a script beside several packages calls under no_grad depends on the package it is scanned for:
``from evals import ood_scores`` is the project's own import for the package ``evals`` only. A file's
findings must not depend on which other packages the run linted first."""

import os
import textwrap

import pytest

from gradlint import manifest
from gradlint.runner import lint_files
from gradlint.rules import ALL_RULES
from test_run_manifest import _new_process

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

FILES = {
    "common/__init__.py": "",
    # a function of another package that asks who calls it under no_grad: the script below is
    # scanned for the package `common` first
    "common/train.py": """\
        def validate(model, loader):
            model.eval()
            total = 0.0
            for x, y in loader:
                total += (model(x) - y).pow(2).mean().item()
            return total
        """,
    "evals/__init__.py": "from evals.scores import ood_scores\n",
    "evals/scores.py": """\
        import torch


        def ood_scores(model, loader):
            model.eval()
            scores = []
            for x, _ in loader:
                out = model(x)
                scores.append(out.softmax(1).max(1).values)
            return torch.cat(scores)
        """,
    # the only caller of ood_scores runs it under no_grad: the evaluation loop records nothing
    "run_eval.py": """\
        import torch
        import torch.nn as nn
        from evals import ood_scores

        model = nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.1))
        loader = [(torch.randn(3, 8), torch.zeros(3))]
        with torch.no_grad():
            print(ood_scores(model, loader))
        """,
}


@pytest.fixture
def project_root(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    root = tmp_path / "project"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _scores_findings(root, names, cache_dir=None):
    _new_process()
    paths = [str(root / name) for name in names]
    found = lint_files(paths, DEFAULT, jobs=1, cache_dir=cache_dir)
    return [(f.line, f.code) for f in found if os.path.basename(f.path) == "scores.py"]


def test_a_caller_under_no_grad_is_seen_whatever_package_was_linted_first(project_root):
    alone = _scores_findings(project_root, ["evals/scores.py"])
    after_another_package = _scores_findings(project_root, ["common/train.py", "evals/scores.py"])
    assert alone == after_another_package == []


def test_a_warm_run_keeps_the_answer_of_each_package(project_root):
    cache = str(project_root.parent / "cache")
    names = ["common/train.py", "evals/scores.py"]
    assert _scores_findings(project_root, names, cache) == []
    # the second run takes the scans' answers from the manifest, one per package
    assert _scores_findings(project_root, names, cache) == []
    assert _scores_findings(project_root, ["evals/scores.py"], cache) == []


def test_a_caller_with_gradients_on_still_leaves_the_evaluation_reported(project_root):
    run_eval = project_root / "run_eval.py"
    run_eval.write_text(run_eval.read_text().replace("with torch.no_grad():", "if True:"))
    assert _scores_findings(project_root, ["common/train.py", "evals/scores.py"]) == [(8, "GRD505")]
