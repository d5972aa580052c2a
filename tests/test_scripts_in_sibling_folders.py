"""A package kept apart from the scripts that run it: ``src/`` (with ``__init__.py``) beside ``bin/``,
``tools/`` or ``scripts/``, whose files import it by its name (``from src.decoding import ...``). They
are the package's callers as much as a script beside the package is: a decoder that only an
evaluation script in ``bin/`` runs, under ``torch.no_grad()``, may call ``.numpy()`` on its outputs,
and a helper that a training script in ``tools/`` hands its graph gets that graph. A file beside the
package that imports a module of the same name of its own is not the package's caller."""

import os

from gradlint import manifest
from gradlint.analysis import callers
from gradlint.rules import ALL_RULES
from gradlint.runner import lint_files
from test_run_manifest import _new_process
from test_scan_store import write
import test_scripts_beside_package as beside

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

DECODING = """\
    import numpy as np
    import torch.nn as nn


    class LanguageModelScorer(nn.Module):
        def __init__(self, vocab, hidden=32):
            super().__init__()
            self.embed = nn.Embedding(vocab, hidden)
            self.out = nn.Linear(hidden, vocab)

        def forward(self, tokens):
            scores = self.out(self.embed(tokens)).log_softmax(dim=-1)
            return np.argsort(scores.squeeze(0).cpu().numpy())[-5:]
    """

EVALUATE = """\
    import torch
    from src.decoding import LanguageModelScorer


    def main():
        scorer = LanguageModelScorer(100)
        scorer.eval()
        with torch.no_grad():
            for tokens in [torch.randint(0, 100, (1, 7))]:
                print(scorer(tokens))


    if __name__ == "__main__":
        main()
    """

#: the same script, scoring with gradients on
EVALUATE_WITH_GRAD = EVALUATE.replace("with torch.no_grad():", "if True:")

#: a script of ``bin/`` that imports a ``decoding`` module of its own folder, not the package's
OWN_DECODING = EVALUATE.replace("from src.decoding import", "from decoding import")

#: a helper of the package and a training script handing it the graph (``test_scripts_beside_package``),
#: the script in ``tools/``
LOSSES = beside.LOSSES
TRAIN = beside.TRAIN.replace("from utils.losses import", "from src.losses import")


def _lint(root, name, cache=None):
    _new_process()
    found = lint_files([str(root / "src" / name)], DEFAULT, jobs=1, cache_dir=cache)
    return [(os.path.basename(f.path), f.line, f.code) for f in found]


def test_a_module_run_only_under_no_grad_by_a_script_in_a_sibling_folder(tmp_path):
    root = tmp_path / "repo"
    write(root, {"src/__init__.py": "", "src/decoding.py": DECODING, "bin/__init__.py": ""})
    write(root, {"bin/evaluate.py": EVALUATE})
    assert _lint(root, "decoding.py") == []


def test_a_script_in_a_sibling_folder_running_it_with_grad_keeps_the_finding(tmp_path):
    root = tmp_path / "repo"
    write(root, {"src/__init__.py": "", "src/decoding.py": DECODING, "bin/evaluate.py": EVALUATE_WITH_GRAD})
    assert _lint(root, "decoding.py") == [("decoding.py", 13, "GRD503")]


def test_a_sibling_script_importing_a_module_of_its_own_is_no_caller(tmp_path):
    root = tmp_path / "repo"
    own = {"bin/decoding.py": DECODING, "bin/evaluate.py": OWN_DECODING}
    write(root, {"src/__init__.py": "", "src/decoding.py": DECODING, **own})
    assert _lint(root, "decoding.py") == [("decoding.py", 13, "GRD503")]


def test_a_helper_gets_the_graph_a_training_script_in_a_sibling_folder_passes(tmp_path):
    root = tmp_path / "repo"
    write(root, {"src/__init__.py": "", "src/losses.py": LOSSES, "tools/train.py": TRAIN})
    assert _lint(root, "losses.py") == [("losses.py", 5, "GRD101")]


def test_a_warm_run_follows_a_sibling_script_that_starts_importing_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    root = tmp_path / "repo"
    cache = str(tmp_path / "cache")
    write(root, {"src/__init__.py": "", "src/decoding.py": DECODING})
    write(root, {"bin/decoding.py": DECODING, "bin/evaluate.py": OWN_DECODING})
    assert _lint(root, "decoding.py", cache) == [("decoding.py", 13, "GRD503")]
    assert _lint(root, "decoding.py", cache) == [("decoding.py", 13, "GRD503")]
    write(root, {"bin/evaluate.py": EVALUATE})
    assert _lint(root, "decoding.py", cache) == []
    os.remove(root / "bin" / "evaluate.py")
    assert _lint(root, "decoding.py", cache) == [("decoding.py", 13, "GRD503")]


#: the package's own trainer calling the helper, as the scripts beside it do
TRAINER = TRAIN.replace("from src.losses import", "from .losses import")


def test_scripts_in_sibling_folders_are_callers_only_when_nearer_files_call_none(tmp_path):
    root = tmp_path / "repo"
    write(root, {"src/__init__.py": "", "src/losses.py": LOSSES, "tools/train.py": TRAIN, "examples/demo.py": TRAIN})
    losses = str(root / "src" / "losses.py")
    text = (root / "src" / "losses.py").read_text()
    _new_process()
    found = callers.caller_files(losses, text)
    assert [os.path.relpath(p, root) for p in found] == ["examples/demo.py", "tools/train.py"]
    write(root, {"src/trainer.py": TRAINER})
    _new_process()
    assert [os.path.relpath(p, root) for p in callers.caller_files(losses, text)] == ["src/trainer.py"]
