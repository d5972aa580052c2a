"""The most common repository layout: a package of helpers (``models/``, ``utils/``) and the training
scripts beside it (``train.py`` at the top, importing ``utils.losses``). The scripts are callers of
the package's functions: a helper in the package is linted with the arguments they pass, and a warm
run's cache follows a script added there."""

import os

from gradlint import manifest
from gradlint.rules import ALL_RULES
from gradlint.runner import lint_files
from test_run_manifest import _new_process
from test_scan_store import write

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

LOSSES = """\
    import torch


    def pair_penalty(a, b):
        return torch.tensor([a.mean(), b.mean()]).sum()
    """

TRAIN = """\
    import torch
    import torch.nn as nn
    from utils.losses import pair_penalty

    model = nn.Linear(4, 2)
    for x in [torch.randn(3, 4)]:
        out = model(x)
        loss = out.pow(2).mean() + pair_penalty(out, out * 2)
        loss.backward()
    """

#: a script that passes values with no graph: the copy loses nothing
EVALUATE = """\
    import torch
    from utils.losses import pair_penalty

    print(pair_penalty(torch.randn(3), torch.randn(3)))
    """


def _lint(root, cache):
    _new_process()
    found = lint_files([str(root / "utils" / "losses.py")], DEFAULT, jobs=1, cache_dir=cache)
    return [(os.path.basename(f.path), f.line, f.code) for f in found]


def test_a_helper_of_the_package_gets_the_arguments_of_a_script_beside_it(tmp_path):
    root = tmp_path / "repo"
    write(root, {"utils/__init__.py": "", "utils/losses.py": LOSSES, "train.py": TRAIN})
    assert _lint(root, None) == [("losses.py", 5, "GRD101")]


def test_a_script_that_passes_no_graph_says_nothing(tmp_path):
    root = tmp_path / "repo"
    write(root, {"utils/__init__.py": "", "utils/losses.py": LOSSES, "evaluate.py": EVALUATE})
    assert _lint(root, None) == []


def test_a_warm_run_follows_a_script_added_beside_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    root = tmp_path / "repo"
    cache = str(tmp_path / "cache")
    write(root, {"utils/__init__.py": "", "utils/losses.py": LOSSES, "evaluate.py": EVALUATE})
    assert _lint(root, cache) == []
    assert _lint(root, cache) == []
    write(root, {"train.py": TRAIN})
    assert _lint(root, cache) == [("losses.py", 5, "GRD101")]
    os.remove(root / "train.py")
    assert _lint(root, cache) == []


def test_a_folder_with_no_init_file_is_a_package_too(tmp_path):
    root = tmp_path / "repo"
    write(root, {"utils/losses.py": LOSSES, "train.py": TRAIN})
    assert _lint(root, None) == [("losses.py", 5, "GRD101")]


def test_not_above_the_top_of_a_repository(tmp_path):
    root = tmp_path / "repo"
    write(root, {"utils/losses.py": LOSSES, "utils/pyproject.toml": "", "train.py": TRAIN})
    assert _lint(root, None) == []


LOOP = """\
    def train(model, loader, updater):
        for x, y in loader:
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            updater.step()
    """

RUN = """\
    import torch
    import torch.nn as nn
    from lib.trainers.loop import train

    model = nn.Linear(4, 2)
    train(model, [(torch.randn(2, 4), torch.randn(2, 2))], torch.optim.SGD(model.parameters(), lr=0.1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, [(torch.randn(2, 4), torch.randn(2, 2))], opt)
    """


def _lint_loop(root):
    _new_process()
    found = lint_files([str(root / "lib" / "trainers" / "loop.py")], DEFAULT, jobs=1, cache_dir=None)
    return [(os.path.basename(f.path), f.line, f.code) for f in found]


def test_callers_in_another_folder_of_a_namespace_layout(tmp_path):
    """No __init__.py anywhere, absolute imports from the repository's top (``from
    lib.trainers.loop import train`` in ``lib/runners/run.py``): the loop's own imports name no folder,
    so its file's imports cannot tell the top; a file that does is needed (see the next test)."""
    root = tmp_path / "repo"
    write(root, {"lib/trainers/loop.py": LOOP, "lib/runners/run.py": RUN})
    assert _lint_loop(root) == []


def test_callers_found_from_the_top_the_files_own_imports_name(tmp_path):
    root = tmp_path / "repo"
    loop = "    from lib.trainers import schedules\n" + LOOP
    write(root, {"lib/trainers/loop.py": loop, "lib/trainers/schedules.py": "", "lib/runners/run.py": RUN})
    assert _lint_loop(root) == [("loop.py", 6, "GRD501")]


def test_a_warm_run_follows_a_caller_added_under_the_import_root(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    root = tmp_path / "repo"
    cache = str(tmp_path / "cache")
    loop = "    from lib.trainers import schedules\n" + LOOP
    write(root, {"lib/trainers/loop.py": loop, "lib/trainers/schedules.py": ""})

    def lint():
        _new_process()
        found = lint_files([str(root / "lib" / "trainers" / "loop.py")], DEFAULT, jobs=1, cache_dir=cache)
        return [(os.path.basename(f.path), f.line, f.code) for f in found]

    assert lint() == [] and lint() == []
    write(root, {"lib/runners/run.py": RUN})
    assert lint() == [("loop.py", 6, "GRD501")]
