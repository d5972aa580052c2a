"""``--changed-since REF`` and ``--changed-lines-only`` against real git repositories."""

import os
import re
import subprocess
import sys

import pytest

PITFALL_FILE = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"


def gradlint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd)


def git(cwd, *args):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def reported(result):
    return [re.match(r"^(.*?:\d+):\d+: (GRD\d{3}) ", line).groups() for line in result.stdout.splitlines()]


@pytest.fixture
def repo(tmp_path):
    """main: a.py and other.py each with one old pitfall; branch `feature` checked out."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.py").write_text(PITFALL_FILE)
    (tmp_path / "other.py").write_text(PITFALL_FILE)
    (tmp_path / "helper.py").write_text("def scale(x):\n    return x * 2\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "old code")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def test_changed_files_and_changed_lines_report_exactly_the_new_pitfall(repo):
    # committed on the branch: lines inserted above the old pitfall, and a new one below it
    (repo / "a.py").write_text("import torch\nimport helper\n\nw = torch.zeros(3, requires_grad=True)\nw += 1\nw *= 2\n")
    git(repo, "commit", "-q", "-am", "feature work")
    # main moves on after the branch point: not this branch's change
    git(repo, "checkout", "-q", "main")
    (repo / "other.py").write_text(PITFALL_FILE + "w -= 1\n")
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "feature")

    everything = gradlint("check", ".", cwd=repo)
    assert reported(everything) == [("a.py:5", "GRD201"), ("a.py:6", "GRD201"), ("other.py:3", "GRD201")]
    files = gradlint("check", "--changed-since", "main", ".", cwd=repo)
    assert reported(files) == [("a.py:5", "GRD201"), ("a.py:6", "GRD201")]
    assert "of 1 files checked" in files.stderr
    lines = gradlint("check", "--changed-since", "main", "--changed-lines-only", ".", cwd=repo)
    assert lines.returncode == 1
    assert reported(lines) == [("a.py:6", "GRD201")]


def test_uncommitted_and_untracked_changes_count(repo):
    (repo / "a.py").write_text(PITFALL_FILE + "w *= 2\n")  # modified, not staged
    (repo / "new.py").write_text(PITFALL_FILE)  # untracked
    (repo / ".gitignore").write_text("ignored.py\n")
    (repo / "ignored.py").write_text(PITFALL_FILE)
    result = gradlint("check", "--changed-since", "HEAD", "--changed-lines-only", ".", cwd=repo)
    assert reported(result) == [("a.py:4", "GRD201"), ("new.py:3", "GRD201")]
    assert gradlint("check", "--changed-since", "HEAD", "--changed-lines-only", "other.py", cwd=repo).returncode == 0
    # source on stdin is not a file git knows: it is linted and reported whole
    piped = subprocess.run([sys.executable, "-m", "gradlint", "check", "--changed-since", "HEAD",
                            "--changed-lines-only", "-", "--stdin-filename", "other.py"],
                           input=PITFALL_FILE, capture_output=True, text=True, cwd=repo)
    assert reported(piped) == [("other.py:3", "GRD201")]


def test_changed_lines_in_a_notebook_are_found_by_cell(repo):
    import json

    def notebook(*sources):
        cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
                 for s in sources]
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    (repo / "nb.ipynb").write_text(notebook(PITFALL_FILE))
    git(repo, "add", "nb.ipynb")
    git(repo, "commit", "-q", "-m", "notebook")
    (repo / "nb.ipynb").write_text(notebook(PITFALL_FILE, "w *= 2\n"))
    result = gradlint("check", "--changed-since", "HEAD", "--changed-lines-only", ".", cwd=repo)
    assert [code for _, code in reported(result)] == ["GRD201"]
    assert "cell 2:1:" in result.stdout


def test_a_helper_in_an_unchanged_file_is_understood(repo):
    (repo / "models.py").write_text("import torch\n\ndef make_leaf():\n    return torch.zeros(3, requires_grad=True)\n")
    git(repo, "add", "models.py")
    git(repo, "commit", "-q", "-m", "helpers")
    (repo / "train.py").write_text("from models import make_leaf\nw = make_leaf()\nw += 1\n")
    result = gradlint("check", "--changed-since", "HEAD", "--changed-lines-only", ".", cwd=repo)
    assert reported(result) == [("train.py:3", "GRD201")]
    assert "of 1 files checked" in result.stderr


def test_errors_outside_a_repository_and_for_an_unknown_ref(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("plain")
    (outside / "a.py").write_text(PITFALL_FILE)
    for args, cwd, message in [
        (("--changed-since", "HEAD"), outside, "not inside a git repository"),
        (("--changed-since", "no-such-branch"), repo, "unknown git ref: no-such-branch"),
        (("--changed-since", "--output=x"), repo, "unknown git ref"),
    ]:
        result = gradlint("check", *args, ".", cwd=cwd)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("gradlint: error: ") and message in result.stderr
        assert len(result.stderr.splitlines()) == 1
    usage = gradlint("check", "--changed-lines-only", ".", cwd=repo)
    assert usage.returncode == 2 and "--changed-since" in usage.stderr


def test_nothing_the_linted_repository_configures_is_run(repo):
    """core.fsmonitor, filters, textconv, external diff and hooks are all commands git could run."""
    marker = repo / "PWNED"
    hostile = f"touch {marker}; false"
    git(repo, "config", "core.fsmonitor", hostile)
    git(repo, "config", "filter.evil.clean", hostile)
    git(repo, "config", "diff.evil.textconv", hostile)
    git(repo, "config", "diff.external", hostile)
    git(repo, "config", "core.pager", hostile)
    hooks = repo / "hooks"
    hooks.mkdir()
    for hook in ("post-index-change", "reference-transaction", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    (repo / ".gitattributes").write_text("*.py filter=evil diff=evil\n")
    (repo / "a.py").write_text(PITFALL_FILE + "w *= 2\n")

    # the repository really is hostile: plain git runs its commands
    subprocess.run(["git", "diff"], cwd=repo, capture_output=True, env=dict(os.environ, GIT_PAGER=""))
    assert marker.exists()
    marker.unlink()

    result = gradlint("check", "--changed-since", "HEAD", "--changed-lines-only", ".", cwd=repo)
    assert reported(result) == [("a.py:4", "GRD201")], result.stderr
    assert not marker.exists()
