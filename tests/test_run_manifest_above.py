"""The run manifest and the folders above a project: a dotted import that no folder of the project holds
is looked for there (a namespace package run from the repository's top, see ``project.find_module``).

Such a folder (``/tmp``, a home folder) changes all the time for reasons of its own: what a key depends on
is only whether it holds the one name looked for, not the rest of its entries."""

import glob
import json
import os
import time

from gradlint.runner import lint_files
from test_run_manifest import DEFAULT, _linting_here, _new_process, package  # noqa: F401 (fixture)
from test_scan_store import write

#: ``plots`` is no folder of the project: it is looked for in the folders above it
REPORT = """\
    import torch
    from plots.figures import draw

    def show(model, x):
        draw(model(x).detach().numpy())
    """

NAMES = ("convert.py", "api.py", "train.py", "report.py")


def _with_report(root):
    """The package with report.py, and the result cache's folder made before any run (in a folder looked
    in above the project: made by the first run, it would be a change of that folder in the run)."""
    write(root, {"lib/report.py": REPORT})
    (root.parent / "cache").mkdir()


def _lint(root, cached=True):
    _new_process()
    paths = [str(root / "lib" / name) for name in NAMES]
    found = lint_files(paths, DEFAULT, jobs=1, cache_dir=str(root.parent / "cache") if cached else None)
    return [(os.path.basename(f.path), f.line, f.code) for f in found]


def test_a_folder_made_beside_the_project_keeps_every_key(package, monkeypatch):
    _with_report(package)
    first = _lint(package)
    (package.parent / "elsewhere").mkdir()  # in a folder looked in above the project, for `plots` only
    write(package.parent, {"notes.py": "x = 1\n"})
    linted = _linting_here(monkeypatch)
    assert _lint(package) == first
    assert linted == []
    # what the manifest keeps of that folder: that it holds no `plots`
    [stored] = glob.glob(str(package.parent / "cache" / "v1" / "manifest-*.json"))
    assert json.loads(open(stored).read())["folders"][str(package.parent) + "\0plots"] == "-"


def test_the_folder_an_import_names_made_above_the_project_distrusts_the_keys(package, monkeypatch):
    _with_report(package)
    _lint(package)
    write(package.parent, {"plots/figures.py": "def draw(values):\n    pass\n"})  # `plots.figures` is found now
    linted = _linting_here(monkeypatch)
    found = _lint(package)
    assert "report.py" in [os.path.basename(path) for path in linted]
    assert found == _lint(package, cached=False)


def test_a_folder_above_the_project_that_changes_while_the_run_goes_on_lets_it_write_its_manifest(package, monkeypatch):
    _with_report(package)
    later = time.time_ns() + 3600 * 10**9  # as if another program made something there while the run went on
    os.utime(package.parent, ns=(later, later))
    first = _lint(package)
    linted = _linting_here(monkeypatch)
    assert _lint(package) == first
    assert linted == []


def test_a_repository_marker_made_where_the_search_above_stops_distrusts_the_keys(package, monkeypatch):
    # `plots.figures` is found above the project (in the folder holding it); a pyproject.toml made in the
    # project's folder ends the search there (it is a repository's top): the import no longer resolves
    _with_report(package)
    write(package.parent, {"plots/figures.py": "def draw(values):\n    pass\n"})
    _lint(package)
    write(package, {"pyproject.toml": "[project]\nname = 'lib'\n"})
    linted = _linting_here(monkeypatch)
    found = _lint(package)
    assert "report.py" in [os.path.basename(path) for path in linted]
    assert found == _lint(package, cached=False)
