"""The run manifest (``gradlint.manifest``): a warm run answers unchanged files from their stat, and
never a file whose key may have changed."""

import glob
import json
import os

import pytest

from gradlint import manifest, runner
from gradlint.cache import Cache
from gradlint.manifest import Manifest
from gradlint.analysis import callers, module_digests, module_files, project
from gradlint.rules import ALL_RULES
from gradlint.runner import lint_files
from test_project import NET
from test_scan_store import CONVERT, INSIDE, OUTSIDE, write

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

TRAIN = """\
    import torch
    from .helpers import make_loss

    def fit(model, optimizer, loader):
        total = 0
        for x in loader:
            loss = make_loss(model, x)
            loss.backward()
            optimizer.step()
            total += loss
        return total
    """

#: ``make_loss`` returns a tensor that carries the graph: ``total += loss`` keeps every graph
HELPERS = """\
    def make_loss(model, x):
        return model(x).sum()
    """

USES_NET = """\
    import torch
    from .net import Net

    logits, probs = Net()(torch.randn(1, 4))
    print(probs.numpy())
    """

NAMES = ("convert.py", "api.py", "train.py")


def _new_process():
    """What a new process knows of the project: nothing (only the cache on disk)."""
    project.forget_projects()
    project._SCANNED.clear()
    module_digests._TEXTS.clear()
    project._IMPORTS.clear()
    callers._IMPORT_WORDS.clear()
    callers._IMPORTERS[:] = [None, {}]
    module_files._STATEMENTS.clear()
    # nor the folders its answers depended on: kept, a folder an earlier test's file looked in (`/tmp`, for a
    # dotted import looked for above its folder) would be in this test's manifests, and other programs on
    # the machine change it between two runs of a test (then no key is trusted)
    module_files._NOTED.clear()
    module_files._NOTED_NAMES.clear()


@pytest.fixture
def package(tmp_path, monkeypatch):
    # files written by a test are seconds old at most: trust their stat at once (see test_racy_*)
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    # the cache outside the folders imports are looked for in: creating it changes none of them
    root = tmp_path / "project"
    write(root, {"lib/__init__.py": "", "lib/convert.py": CONVERT, "lib/api.py": OUTSIDE, "lib/train.py": TRAIN})
    write(root, {"lib/helpers.py": HELPERS})
    return root


def _lint(root, cached=True):
    _new_process()
    paths = [str(root / "lib" / name) for name in NAMES]
    found = lint_files(paths, DEFAULT, jobs=1, cache_dir=str(root.parent / "cache") if cached else None)
    return [(os.path.basename(f.path), f.line, f.code) for f in found]


def _refuse_to_lint(monkeypatch):
    """From here on, linting a file, or reading one to compute its key, fails the test (also in a worker,
    forked with this process's memory: its findings would differ)."""
    monkeypatch.setattr(runner, "read_source", lambda *args: pytest.fail("read to be linted"))
    monkeypatch.setattr(runner, "dependency_digest", lambda *args: pytest.fail("key computed again"))
    monkeypatch.setattr(project, "_read", lambda *args: pytest.fail("read for the project scans"))
    monkeypatch.setattr(callers, "_read", lambda *args: pytest.fail("read for the callers"))


def test_a_warm_run_answers_unchanged_files_without_reading_them(package, monkeypatch):
    first = _lint(package)
    assert ("convert.py", 5, "GRD201") in first and ("train.py", 10, "GRD502") in first
    assert len(glob.glob(str(package.parent / "cache" / "v1" / "manifest-*.json"))) == 1
    _refuse_to_lint(monkeypatch)
    assert _lint(package) == first


def test_an_edited_file_and_its_importers_are_linted_again_and_only_they(package, monkeypatch):
    first = _lint(package)
    # (a module mentioning torch: its digest is its text; see test_run_manifest_imports for one that does not)
    write(package, {"lib/helpers.py": HELPERS.replace("model(x).sum()", "model(x).sum().item()  # a float, not a torch tensor")})
    linted = []
    real = runner._lint_file_learning
    monkeypatch.setattr(runner, "_lint_file_learning", lambda path, *args: linted.append(path) or real(path, *args))
    monkeypatch.setattr(runner, "_fork_context", lambda: None)  # in this process, to see what is linted
    second = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]  # helpers.py itself is not linted
    assert second == _lint(package, cached=False)


#: imports train.py (whose fit() trains) and calls nothing of it: a candidate caller of fit() that is none
NO_CALLER = """\
    from .train import fit

    RUNNERS = {"fit": fit}
    """
CALLER = NO_CALLER + """\

    def run(model, optimizer, loader):
        return fit(model, optimizer, loader)
    """


def _linting_here(monkeypatch) -> list:
    """The files linted from here on (in this process, to see them); a key computed counts as linted."""
    linted = []
    real = runner._lint_file_learning
    monkeypatch.setattr(runner, "_lint_file_learning", lambda path, *args: linted.append(path) or real(path, *args))
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    return linted


def test_an_edit_of_a_file_that_calls_no_training_function_it_imports_keeps_the_key(package, monkeypatch):
    # train.py's key used runner.py only as not calling fit(): a comment added there leaves it as it is
    write(package, {"lib/runner.py": NO_CALLER})
    first = _lint(package)
    write(package, {"lib/runner.py": NO_CALLER + "# see train.py\n"})
    linted = _linting_here(monkeypatch)
    assert _lint(package) == first
    assert linted == []
    assert first == _lint(package, cached=False)


def test_a_file_that_starts_calling_a_training_function_computes_its_key_again(package, monkeypatch):
    write(package, {"lib/runner.py": NO_CALLER})
    _lint(package)
    write(package, {"lib/runner.py": CALLER})  # the same imports: only the key of train.py can tell
    linted = _linting_here(monkeypatch)
    found = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert found == _lint(package, cached=False)


def test_a_module_an_import_imports_is_used_through_its_digest(package, monkeypatch):
    # loop.py imports train.py, which imports helpers.py: loop.py's key used helpers.py only through its
    # key digest (the rules' strings it holds); what the analysis read of it is checked on the cache entry
    write(package, {"lib/loop.py": "from .train import fit\n\nRUNNERS = [fit]\n"})
    paths = [str(package / "lib" / name) for name in NAMES + ("loop.py",)]
    cache = str(package.parent / "cache")
    _new_process()
    first = lint_files(paths, DEFAULT, jobs=1, cache_dir=cache)
    write(package, {"lib/helpers.py": HELPERS + "# returns the loss\n"})
    linted = _linting_here(monkeypatch)
    _new_process()
    assert lint_files(paths, DEFAULT, jobs=1, cache_dir=cache) == first
    assert linted == []  # helpers.py keeps its digests and its import statements
    write(package, {"lib/helpers.py": HELPERS + "# the weight of each sample\n"})  # a string GRD201 looks for
    _new_process()
    stored = Cache(cache, tuple(rule.code for rule in DEFAULT))
    run = Manifest(stored.directory, stored.salt)
    assert run.check()
    assert run.key(paths[-1]) is None and run.key(paths[0]) is not None  # loop.py's key, not convert.py's
    _new_process()
    found = lint_files(paths, DEFAULT, jobs=1, cache_dir=cache)
    _new_process()
    assert found == lint_files(paths, DEFAULT, jobs=1)
    # mentions torch: the same strings, but what its analysis gives train.py (which calls make_loss) and
    # loop.py (which reads train.py) may change: the keys stand, their entries do not
    write(package, {"lib/helpers.py": HELPERS + "# the weight of each sample, a torch helper\n"})
    _new_process()
    run = Manifest(stored.directory, stored.salt)
    assert run.check()
    assert run.key(paths[-1]) is not None and run.key(paths[2]) is not None
    linted.clear()
    _new_process()
    found = lint_files(paths, DEFAULT, jobs=1, cache_dir=cache)
    assert sorted(os.path.basename(path) for path in linted) == ["loop.py", "train.py"]
    _new_process()
    assert found == lint_files(paths, DEFAULT, jobs=1) == first


def test_a_key_of_a_file_a_run_did_not_lint_is_kept_only_while_it_holds(package):
    # the edit of train.py comes before a run of convert.py alone: train.py's key is not that run's to keep
    first = _lint(package)
    assert ("train.py", 10, "GRD502") in first
    write(package, {"lib/train.py": TRAIN.replace("total += loss", "total += loss.item()")})
    _new_process()
    lint_files([str(package / "lib" / "convert.py")], DEFAULT, jobs=1, cache_dir=str(package.parent / "cache"))
    found = _lint(package)
    assert ("train.py", 10, "GRD502") not in found
    assert found == _lint(package, cached=False)


def test_a_file_rewritten_with_the_same_size_and_modification_time_is_linted_again(package):
    # the status-change time (ctime) moves with any write, and no call can put it back
    assert ("convert.py", 5, "GRD201") in _lint(package)
    api = package / "lib" / "api.py"
    before = os.stat(api)
    write(package, {"lib/api.py": INSIDE})  # now calls convert() under no_grad: convert.py's key changes
    os.utime(api, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(api)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    found = _lint(package)
    assert ("convert.py", 5, "GRD201") not in found
    assert found == _lint(package, cached=False)


def test_a_file_added_where_imports_are_looked_for_distrusts_every_key(package, monkeypatch):
    write(package, {"lib/train.py": USES_NET})
    first = _lint(package)  # lib/net.py is not there: Net is unknown
    write(package, {"lib/net.py": NET})
    second = _lint(package)
    assert second == _lint(package, cached=False)
    assert [found for found in second if found[0] == "train.py"] and first != second


def test_a_file_whose_project_wide_facts_changed_distrusts_every_key(package):
    # api.py is no import of convert.py, yet calling convert() under no_grad there changes convert.py's findings
    assert ("convert.py", 5, "GRD201") in _lint(package)
    write(package, {"lib/api.py": INSIDE + "\n# and longer\n"})
    found = _lint(package)
    assert ("convert.py", 5, "GRD201") not in found
    assert found == _lint(package, cached=False)


def test_racy_a_file_changed_just_before_the_run_is_not_trusted_later(package, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_NS", 3600 * 10**9)  # every file and folder here changed "just now"
    _lint(package)
    for path in glob.glob(str(package.parent / "cache" / "v1" / "manifest-*.json")):
        assert json.loads(open(path).read())["keys"] == {}
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    linted = []
    real = runner._lint_file_learning
    monkeypatch.setattr(runner, "_lint_file_learning", lambda path, *args: linted.append(path) or real(path, *args))
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    _lint(package)
    assert len(linted) == len(NAMES)


def test_a_damaged_manifest_or_one_written_by_other_code_is_not_read(package, monkeypatch):
    first = _lint(package)
    [path] = glob.glob(str(package.parent / "cache" / "v1" / "manifest-*.json"))
    stored = json.loads(open(path).read())
    # were it read, every file would get another file's key
    keys = list(stored["keys"].values())
    stored["keys"] = {name: keys[0] for name in stored["keys"]}
    linted = []
    real = runner._lint_file_learning
    monkeypatch.setattr(runner, "_lint_file_learning", lambda path, *args: linted.append(path) or real(path, *args))
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    for salt, damage in ((stored["salt"] + " and other code", False), (stored["salt"], True)):
        text = json.dumps(dict(stored, salt=salt))
        open(path, "w").write(text[:-3] if damage else text)
        linted.clear()
        assert _lint(package) == first
        assert len(linted) == len(NAMES)


def test_without_a_cache_there_is_no_manifest(package):
    _lint(package, cached=False)
    assert not (package.parent / "cache").exists()


def test_the_facts_the_workers_use_are_those_the_parent_found_before_they_forked(package, monkeypatch):
    """What ``save`` keeps of a file changed while the run went on is what the run's keys were computed from."""
    from gradlint.cache import Cache
    from gradlint.manifest import Manifest

    _new_process()
    paths = [str(package / "lib" / name) for name in NAMES]
    cache = Cache(str(package.parent / "cache"), tuple(rule.code for rule in DEFAULT))
    with project.one_snapshot():
        run = Manifest(cache.directory, cache.salt)
        run.prepare(paths)
        monkeypatch.setattr(project, "_read", lambda *args: pytest.fail("read again"))
        monkeypatch.setattr(callers, "_read", lambda *args: pytest.fail("read again"))
        before = {path: callers.file_facts(path, ["lib"]) for path in glob.glob(str(package / "lib" / "*.py"))}
        assert len(before) == 5
        write(package, {"lib/api.py": INSIDE})  # changed mid-run: the facts stay those the run used
        assert {path: callers.file_facts(path, ["lib"]) for path in before} == before
