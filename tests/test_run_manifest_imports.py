"""The run manifest and the modules a linted file imports: an importer's key uses an imported module
through its digest and its import statements (what it imports in turn), not through the rest of its text."""

import os

from gradlint.analysis import module_digests
from gradlint.cache import Cache
from gradlint.manifest import Manifest
from test_project import NET
from gradlint.runner import lint_files
from test_run_manifest import DEFAULT, HELPERS, USES_NET, _lint, _linting_here, _new_process, package  # noqa: F401 (fixture)
from test_scan_store import write


def _manifest(root) -> Manifest:
    """The manifest as the next run reads and checks it."""
    _new_process()
    stored = Cache(str(root.parent / "cache"), tuple(rule.code for rule in DEFAULT))
    run = Manifest(stored.directory, stored.salt)
    assert run.check()
    return run


def _key_digest(path) -> bytes:
    """What a key computed now takes from the rest of the module_digests."""
    _new_process()
    with module_digests.consulting():
        return module_digests.dependency_digest(str(path), path.read_text())


def test_a_comment_in_a_torch_free_module_keeps_the_keys_of_its_importers(package, monkeypatch):
    # train.py imports helpers.py, which mentions no torch (it defines nothing for importers): a comment
    # there changes neither its digest nor its import statements, so train.py's key stands as it is
    first = _lint(package)
    train = package / "lib" / "train.py"
    before = _key_digest(train)
    write(package, {"lib/helpers.py": HELPERS + "# returns the loss\n"})
    assert _key_digest(train) == before
    assert _manifest(package).key(str(train)) is not None
    linted = _linting_here(monkeypatch)
    assert _lint(package) == first
    assert linted == []
    assert first == _lint(package, cached=False)


def test_an_imported_module_that_imports_another_one_changes_the_keys_of_its_importers(package, monkeypatch):
    # the same digest (helpers.py still mentions no torch) and the same words in its imports (the project-wide
    # facts), another import statement: ``..net`` is no file, ``.net`` is lib/net.py, whose text train.py's
    # key now covers (a module train.py imports through helpers.py)
    write(package, {"lib/net.py": NET, "lib/helpers.py": "from ..net import Net\n" + HELPERS})
    first = _lint(package)
    helpers, train = package / "lib" / "helpers.py", package / "lib" / "train.py"
    digest, before = module_digests.module_digest(str(helpers)), _key_digest(train)
    write(package, {"lib/helpers.py": "from .net import Net\n" + HELPERS})
    _new_process()
    assert module_digests.module_digest(str(helpers)) == digest
    assert _key_digest(train) != before
    assert _manifest(package).key(str(train)) is None
    linted = _linting_here(monkeypatch)
    found = _lint(package)
    assert [os.path.basename(path) for path in linted] == ["train.py"]
    assert found == first == _lint(package, cached=False)


def test_a_module_used_through_its_digest_and_as_text_is_used_as_text():
    digest = module_digests.DIGEST + "ab" * 32
    imports = digest + module_digests.IMPORTS + "cd" * 32
    assert module_digests._both_uses(digest, imports) == module_digests._both_uses(imports, digest) == imports
    assert module_digests._both_uses(imports, module_digests.TEXT) == module_digests.TEXT
    assert module_digests._both_uses(digest, module_digests.DIGEST + "ef" * 32 + module_digests.IMPORTS + "cd" * 32) == module_digests.TEXT
    assert module_digests._both_uses(imports, "no call: fit") == module_digests.TEXT


def test_an_edit_of_a_module_reruns_the_importers_whose_analysis_read_it_and_only_them(package, monkeypatch):
    # uses.py calls Net (its analysis reads net.py), names.py only imports the name (it reads nothing):
    # the keys of both take net.py's strings only, which a new layer size keeps
    write(package, {"lib/net.py": NET, "lib/uses.py": USES_NET, "lib/names.py": "from .net import Net\n\nprint('no model')\n"})
    paths = [str(package / "lib" / name) for name in ("uses.py", "names.py")]
    cache = str(package.parent / "cache")
    _new_process()
    first = lint_files(paths, DEFAULT, jobs=1, cache_dir=cache)
    assert [(os.path.basename(f.path), f.code) for f in first] == [("uses.py", "GRD503")]
    write(package, {"lib/net.py": NET.replace("nn.Linear(4, 2)", "nn.Linear(4, 3)")})
    linted = _linting_here(monkeypatch)
    _new_process()
    assert lint_files(paths, DEFAULT, jobs=1, cache_dir=cache) == first
    assert [os.path.basename(path) for path in linted] == ["uses.py"]
    # a change of what the analysis gives uses.py: its findings follow
    write(package, {"lib/net.py": NET.replace("return logits, logits.softmax(-1)", "return logits.detach(), None")})
    _new_process()
    assert lint_files(paths, DEFAULT, jobs=1, cache_dir=cache) == []
