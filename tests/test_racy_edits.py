"""The run manifest and a file changed just before a run (``manifest.RACY_NS``: its stat is not trusted
later): the next run checks it by content, keeps the keys that still hold, and never a stale one."""

import json
import glob
import os
import sys
import time

import pytest

from gradlint import manifest, runner
from gradlint.analysis import module_digests
from test_run_manifest import CALLER, NO_CALLER, _lint, _linting_here, package  # noqa: F401 (fixture)
from test_scan_store import write

#: train.py keeps every loss's graph (``total += loss``: GRD502 at line 10) or keeps none: the same size
KEEPS_GRAPH = "total += loss\n"
KEEPS_NONE = "#otal += loss\n"


def _racy(path) -> None:
    """As if ``path`` had been written in the clock tick the run starts in: its stat is not to be trusted
    (a modification time ahead of the run's start stays so; the package fixture sets RACY_NS to 0)."""
    ahead = time.time_ns() + 3600 * 10**9
    os.utime(path, ns=(ahead, ahead))


def _edit(root, name, old, new) -> None:
    path = root / "lib" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    _racy(path)


def _computing_no_key(monkeypatch) -> list:
    """The files linted from here on (a key computed again counts: it is linted in a worker); computing a
    key in this process fails the test."""
    linted = _linting_here(monkeypatch)
    monkeypatch.setattr(runner, "dependency_digest", lambda *args: pytest.fail("key computed again"))
    return linted


def _stored_keys(root) -> dict:
    [path] = glob.glob(str(root.parent / "cache" / "v1" / "manifest-*.json"))
    stored = json.loads(open(path).read())
    return {os.path.basename(path): entry for path, entry in stored["keys"].items()}


def test_the_run_after_an_edit_made_just_before_a_run_lints_nothing(package, monkeypatch):
    first = _lint(package)
    _edit(package, "train.py", "return total\n", "return total  # the summed losses\n")
    edited = _lint(package)
    assert edited == first
    assert "train.py" in _stored_keys(package)  # kept, to be checked on its bytes
    linted = _computing_no_key(monkeypatch)
    assert _lint(package) == first
    assert linted == []


def test_the_keys_that_used_a_file_edited_just_before_a_run_are_kept_while_they_hold(package, monkeypatch):
    # train.py's key used helpers.py (which mentions no torch) through its digest: a comment keeps it
    first = _lint(package)
    _edit(package, "helpers.py", "return model(x).sum()\n", "return model(x).sum()  # the loss\n")
    assert _lint(package) == first
    linted = _computing_no_key(monkeypatch)
    assert _lint(package) == first
    assert linted == []


def test_a_file_edited_again_after_a_racy_run_is_linted_again_though_its_stat_looks_the_same(package, monkeypatch):
    # a stat of train.py that cannot tell the two texts apart (the same size, the times of the clock tick
    # the run starts in): its content decides
    real, ahead = manifest.signature, time.time_ns() + 3600 * 10**9
    blind = lambda path: real(path)[:1] + (ahead, ahead) + real(path)[3:] if path.endswith("train.py") else real(path)
    monkeypatch.setattr(manifest, "signature", blind)
    first = _lint(package)
    assert ("train.py", 10, "GRD502") in first
    _edit(package, "train.py", KEEPS_GRAPH, KEEPS_NONE)
    second = _lint(package)
    assert ("train.py", 10, "GRD502") not in second
    _edit(package, "train.py", KEEPS_NONE, KEEPS_GRAPH)
    linted = _linting_here(monkeypatch)
    third = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert third == first == _lint(package, cached=False)


def test_an_edit_of_a_dependency_just_before_a_run_lints_its_dependent_again(package, monkeypatch):
    # helpers.py now returns a float: train.py's loop trains nothing (and back again)
    first = _lint(package)
    assert ("train.py", 10, "GRD502") in first
    float_loss = "return float(model(x).sum())  # a torch tensor made a float\n"
    _edit(package, "helpers.py", "return model(x).sum()\n", float_loss)
    linted = _linting_here(monkeypatch)
    second = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert ("train.py", 10, "GRD502") not in second and second == _lint(package, cached=False)
    linted.clear()
    assert _lint(package) == second
    assert linted == []
    _edit(package, "helpers.py", float_loss, "return model(x).sum()  # a torch tensor\n")
    third = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert third == first == _lint(package, cached=False)


def test_a_caller_edited_just_before_a_run_changes_the_key_of_the_file_it_calls(package, monkeypatch):
    # runner.py imports train.py: calling none of its training functions, then calling fit(), then not
    write(package, {"lib/runner.py": NO_CALLER})
    _lint(package)
    write(package, {"lib/runner.py": CALLER})
    _racy(package / "lib" / "runner.py")
    linted = _linting_here(monkeypatch)
    found = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert found == _lint(package, cached=False)
    write(package, {"lib/runner.py": NO_CALLER})
    _racy(package / "lib" / "runner.py")
    linted.clear()
    found = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]  # its key read runner.py's text
    assert found == _lint(package, cached=False)


def test_a_key_kept_for_its_own_bytes_only_while_its_stat_is_not_trusted(package):
    _edit(package, "train.py", "return total\n", "return total  # the summed losses\n")
    _lint(package)
    stored = _stored_keys(package)["train.py"]
    assert any(use.startswith(module_digests.CONTENT) for use in _uses(package, stored))
    os.utime(package / "lib" / "train.py", ns=(0, 0))  # long before the run: trusted from now on
    _lint(package)  # (answered by content, then kept with its stat)
    _lint(package)
    assert "train.py" in _stored_keys(package)


def _uses(root, entry) -> list:
    [path] = glob.glob(str(root.parent / "cache" / "v1" / "manifest-*.json"))
    uses = json.loads(open(path).read())["uses"]
    return [uses[int(number)] for number in entry[2].split()]


def test_the_content_of_a_file_is_compared_only_when_it_is_a_regular_file_of_that_size(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n")
    use = module_digests.content_use(b"x = 1\n")
    assert module_digests.same_content(str(path), use)
    assert not module_digests.same_content(str(path), module_digests.content_use(b"x = 2\n"))
    assert not module_digests.same_content(str(path), module_digests.content_use(b"x = 1\n\n"))
    assert not module_digests.same_content(str(tmp_path / "gone.py"), use)
    assert not module_digests.same_content(str(path), module_digests.DIGEST + "00")
    if sys.platform != "win32":
        os.unlink(path)
        os.mkfifo(path)  # nothing writes to it: opening it to read must not wait
        assert not module_digests.same_content(str(path), use)
