"""The search for callers in other files runs its regex only on files holding a training name, and
finds what it found."""

import re

from gradlint.analysis import callers
from gradlint.analysis.callers import caller_files
from gradlint.analysis.project import forget_projects, one_snapshot

TRAINING = "def {name}(model, updater):\n    model.train()\n    updater.step()\n"


def _package(tmp_path):
    """Two training modules of a package, and many files importing both (some call their functions)."""
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "loops.py").write_text(TRAINING.format(name="fit"))
    (root / "steps.py").write_text(TRAINING.format(name="fit_step"))
    for number in range(8):
        calls = ["fit(m, u)", "fit_step (m, u)", "fit_steps(m)", "print(fit)"][number % 4]
        (root / f"run{number}.py").write_text(f"from .loops import fit\nfrom .steps import fit_step\n{calls}\n")
    forget_projects()
    return root


def test_only_the_files_holding_a_training_name_are_searched(tmp_path, monkeypatch):
    root = _package(tmp_path)
    for number in range(8, 20):  # importers that never mention fit
        (root / f"run{number}.py").write_text("from .loops import helper\nhelper(1)\n")
    searched = []
    real = re.compile

    class Counting:
        def __init__(self, pattern):
            self.pattern = real(pattern)

        def search(self, text):
            searched.append(text)
            return self.pattern.search(text)

    monkeypatch.setattr(callers.re, "compile", Counting)
    with one_snapshot():
        assert caller_files(str(root / "loops.py"), (root / "loops.py").read_text())
    assert searched and not any("helper" in text for text in searched)


def test_the_callers_found_are_the_files_calling_a_training_name(tmp_path):
    root = _package(tmp_path)
    with one_snapshot():
        found = {name: caller_files(str(root / name), (root / name).read_text()) for name in ("loops.py", "steps.py")}
    # run0 calls fit(...), run1 fit_step (...); fit_steps(...) and a bare mention are not calls of either
    assert [p.rsplit("/", 1)[1] for p in found["loops.py"]] == ["run0.py", "run4.py"]
    assert [p.rsplit("/", 1)[1] for p in found["steps.py"]] == ["run1.py", "run5.py"]
