"""The store of project-wide text scans kept beside the result cache (``analysis.scans``)."""

import json
import os
import textwrap

import pytest

from gradlint.analysis import callers, module_files, project, scans
from gradlint.rules import ALL_RULES
from gradlint.runner import lint_files

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

CONVERT = """\
    import torch.nn as nn

    def convert(module):
        new = nn.Linear(module.in_features, module.out_features)
        new.weight.copy_(module.weight)
        return new
    """

#: calls ``convert`` after a no_grad block, or inside it: the same size either way
OUTSIDE = """\
    import torch
    from .convert import convert

    def prepare(model):
        with torch.no_grad():
            pass
        return convert(model)
    """
INSIDE = OUTSIDE.replace("            pass\n        return convert(model)", "            return convert(model)\n        pass")

TRAIN = """\
    import torch
    from .convert import convert

    def fit(model, optimizer, loader):
        for x in loader:
            convert(model)(x).sum().backward()
            optimizer.step()
    """


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _new_process():
    """What a new process knows of the project: nothing (only the store on disk)."""
    project.forget_projects()
    project._SCANNED.clear()
    callers._IMPORT_WORDS.clear()
    callers._IMPORTERS[:] = [None, {}]


@pytest.fixture
def package(tmp_path):
    write(tmp_path, {"lib/__init__.py": "", "lib/convert.py": CONVERT, "lib/api.py": OUTSIDE, "lib/train.py": TRAIN})
    return tmp_path


def _lint(root):
    # what the store answers, beneath the run manifest (which may answer a whole run: see test_run_manifest)
    for manifest in (root / "cache" / "v1").glob("manifest-*.json"):
        manifest.unlink()
    paths = [str(root / "lib" / name) for name in ("convert.py", "api.py", "train.py")]
    return [(os.path.basename(f.path), f.line, f.code) for f in lint_files(paths, DEFAULT, jobs=1, cache_dir=str(root / "cache"))]


def test_a_second_run_takes_the_project_scans_from_the_store(package, monkeypatch):
    _new_process()
    first = _lint(package)
    assert ("convert.py", 5, "GRD201") in first
    assert _stored_entries(package)
    _new_process()
    monkeypatch.setattr(project, "_scan_no_grad_calls", lambda *args: pytest.fail("scanned again"))
    monkeypatch.setattr(callers, "_scan_import_words", lambda *args: pytest.fail("scanned again"))
    assert _lint(package) == first


class _Refused:
    def findall(self, *args):
        pytest.fail("searched again")


def test_a_second_run_takes_the_text_facts_of_its_cache_keys_from_the_store(package, monkeypatch):
    # the import statements, the functions defined and the training names of every file
    _new_process()
    first = _lint(package)
    _new_process()
    module_files._STATEMENTS.clear()
    monkeypatch.setattr(module_files, "_import_statements", lambda *args: pytest.fail("searched again"))
    monkeypatch.setattr(project, "_TOP_LEVEL_DEF", _Refused())
    monkeypatch.setattr(project, "_INDENTED_DEF", _Refused())
    monkeypatch.setattr(callers, "training_names", lambda *args: pytest.fail("searched again"))
    assert _lint(package) == first


def test_a_file_changed_since_is_scanned_again_even_with_the_same_size_and_time(package):
    _new_process()
    assert ("convert.py", 5, "GRD201") in _lint(package)
    api = package / "lib" / "api.py"
    stat = os.stat(api)
    write(package, {"lib/api.py": INSIDE})  # now calls convert() under no_grad
    assert os.path.getsize(api) == stat.st_size
    os.utime(api, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _new_process()
    findings = _lint(package)
    assert ("convert.py", 5, "GRD201") not in findings
    _new_process()
    assert findings == [(p, line, code) for p, line, code in _lint_uncached(package)]


def _lint_uncached(root):
    paths = [str(root / "lib" / name) for name in ("convert.py", "api.py", "train.py")]
    return [(os.path.basename(f.path), f.line, f.code) for f in lint_files(paths, DEFAULT, jobs=1)]


def _shards(root):
    return sorted((root / "cache" / "v1").glob(scans.PREFIX + "*.json"))


def _stored_entries(root):
    entries = {}
    for shard in _shards(root):
        entries.update(json.loads(shard.read_text())["entries"])
    return entries


def test_a_store_written_by_other_code_or_damaged_is_not_read(package, monkeypatch):
    write(package, {"lib/api.py": INSIDE})
    _new_process()
    first = _lint(package)
    assert ("convert.py", 5, "GRD201") not in first
    contents = {shard: json.loads(shard.read_text()) for shard in _shards(package)}
    assert len(contents) > 1
    # were it read, every entry would say that no file imports or calls anything (GRD201 would come back)
    scanned = []
    real = project._scan_no_grad_calls
    monkeypatch.setattr(project, "_scan_no_grad_calls", lambda *args: scanned.append(args) or real(*args))
    for other_code, damage in ((True, False), (False, True)):
        for shard, content in contents.items():
            salt = content["salt"] + " and other code" if other_code else content["salt"]
            text = json.dumps({"salt": salt, "entries": {key: [] for key in content["entries"]}})
            shard.write_text(text[:-3] if damage else text)
        scanned.clear()
        _new_process()
        assert _lint(package) == first
        assert scanned


def test_each_part_of_the_store_is_read_and_written_only_when_an_entry_of_it_is_needed(package, monkeypatch):
    """A run that adds one entry (an edited file) writes one part of the store and reads only those
    holding what it asks about; a damaged part costs only its own entries."""
    _new_process()
    first = _lint(package)
    shards = _shards(package)
    assert len(shards) > 3
    api = package / "lib" / "api.py"
    with open(api, "a") as handle:
        handle.write("# edited\n")
    before = {shard: shard.stat().st_mtime_ns for shard in shards}
    loaded = []
    real_load = scans._load
    monkeypatch.setattr(scans, "_load", lambda path, salt: loaded.append(os.path.basename(path)) or real_load(path, salt))
    _new_process()
    assert _lint(package) == first
    written = [shard for shard in _shards(package) if before.get(shard) != shard.stat().st_mtime_ns]
    assert 1 <= len(written) < len(shards)
    assert len(set(loaded)) < len(shards)
    for shard in written:
        assert shard.name in loaded
    # a part cut short is ignored: its entries are scanned again, the others are still read
    damaged = written[0]
    damaged.write_text(damaged.read_text()[:-3])
    _new_process()
    assert _lint(package) == first
    assert json.loads(damaged.read_text())["entries"]  # written again whole


def test_the_store_of_an_older_version_is_removed_when_the_store_is_written(package):
    old = package / "cache" / "v1" / scans.OLD_FILE_NAME
    old.parent.mkdir(parents=True)
    old.write_text("{}")
    _new_process()
    _lint(package)
    assert not old.exists()
    assert _shards(package)


def test_the_batch_run_scans_the_projects_before_the_workers_fork(package, monkeypatch):
    """Each worker inherits the scans: none of them makes one again."""
    _new_process()
    paths = [str(package / "lib" / name) for name in ("convert.py", "api.py", "train.py")]
    with project.one_snapshot():
        callers.scan_projects(paths)
        monkeypatch.setattr(project, "_read", lambda path: pytest.fail(f"read {path} again"))
        monkeypatch.setattr(callers, "_read", lambda path: pytest.fail(f"read {path} again"))
        for path in paths[:1]:  # convert.py: its callers are looked for, and its no-grad callers
            own = project.project_for(path)
            assert own.no_grad_callees(frozenset({"convert"})) == frozenset()
            assert callers.files_importing(own, "convert") == [paths[1], paths[2]]


def test_the_checks_of_an_imported_module_are_taken_from_the_store(package, monkeypatch):
    """api.py and train.py import convert.py: a later run (a new process, nothing parsed yet) parses it
    again, without measuring its nesting again for the same bytes; changed bytes are measured again."""
    from gradlint import runner
    from gradlint.analysis import imports, parsed

    monkeypatch.setattr(runner, "_fork_context", lambda: None)  # linted here: what it measures is seen
    measured = []
    real_depth, real_brackets = imports.cpython_depth, imports.bracket_depth
    monkeypatch.setattr(imports, "cpython_depth", lambda text: measured.append(text) or real_depth(text))
    monkeypatch.setattr(imports, "bracket_depth", lambda text: measured.append(text) or real_brackets(text))
    paths = [str(package / "lib" / name) for name in ("api.py", "train.py")]

    def lint():
        _new_process()
        parsed.forget_trees()
        imports._LOADED.clear()
        measured.clear()
        return [(os.path.basename(f.path), f.line, f.code) for f in lint_files(paths, DEFAULT, jobs=1, cache_dir=str(package / "cache"))]

    first = lint()
    assert measured
    for manifest in (package / "cache" / "v1").glob("manifest-*.json"):
        manifest.unlink()
    for entry in (package / "cache" / "v1").glob("??/*.json"):
        entry.unlink()  # lint again, from the store
    assert lint() == first
    assert measured == []
    with open(package / "lib" / "convert.py", "a") as handle:
        handle.write("# edited\n")
    for entry in (package / "cache" / "v1").glob("??/*.json"):
        entry.unlink()
    assert lint() == first
    assert measured


def test_a_fact_that_does_not_hold_is_not_kept(tmp_path):
    with scans.scan_store(str(tmp_path), "salt"):
        assert scans.held("fact", b"text", lambda: False) is False
        assert scans.held("fact", b"text", lambda: True) is True
        assert scans.held("fact", b"text", lambda: pytest.fail("tested again")) is True
        assert scans.held("fact", b"other text", lambda: False) is False
    with scans.scan_store(str(tmp_path), "salt"):  # a later run
        assert scans.held("fact", b"text", lambda: pytest.fail("tested again")) is True
        assert scans.held("fact", b"other text", lambda: False) is False
    with scans.scan_store(str(tmp_path), "other code"):
        assert scans.held("fact", b"text", lambda: False) is False
