"""The pre-commit hook (.pre-commit-hooks.yaml): `pre-commit try-repo` blocks a pitfall (in a
script and in a notebook) and passes the fix.

try-repo installs gradlint into an isolated virtualenv from the repository (libcst and click
come from PyPI), twice: each try-repo run uses a fresh temporary store. That takes a minute
or two, so every pre-commit call has a generous timeout.

Why a snapshot of the checkout rather than the checkout itself: try-repo on a local path with
uncommitted changes makes a shadow commit of HEAD plus the *tracked* modifications and the
staged files (``git add -u``), so an untracked file -- a new .pre-commit-hooks.yaml or a new
module -- is missing from what it installs ("/.pre-commit-hooks.yaml is not a file"). The test
therefore commits the working tree as it is (tracked and untracked files git does not ignore)
into a throwaway repository, and runs try-repo on that. The checkout's own index is never
touched: only `git ls-files` reads it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import copy_checkout

pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parent.parent

BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"
FIXED = "import torch\nw = torch.zeros(3, requires_grad=True)\nwith torch.no_grad():\n    w += 1\n"


def notebook(*cells):
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell}
                for cell in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


BAD_NB = notebook("import torch\nw = torch.zeros(3, requires_grad=True)", "w += 1")
FIXED_NB = notebook("import torch\nw = torch.zeros(3, requires_grad=True)", "with torch.no_grad():\n    w += 1")

#: one try-repo run: a virtualenv plus `pip install` of the repository
TIMEOUT = 600

def _env(tmp_path):
    # no GIT_DIR / GIT_INDEX_FILE & co. leaking in (e.g. when the suite runs inside a git hook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pc")
    env["PRE_COMMIT_COLOR"] = "never"
    env.pop("PYTHONPATH", None)  # the hook must run the gradlint installed in its own virtualenv
    return env


def _git(*args, cwd, env):
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


def _init_repo(path, env):
    path.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", cwd=path, env=env)
    _git("config", "user.name", "gradlint tests", cwd=path, env=env)
    _git("config", "user.email", "tests@gradlint.invalid", cwd=path, env=env)
    _git("config", "commit.gpgsign", "false", cwd=path, env=env)


def _snapshot_checkout(dest, env):
    """A throwaway repository whose HEAD is this checkout's working tree, uncommitted changes included."""
    copy_checkout(dest, env)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    _init_repo(dest, env)
    _git("add", "-A", cwd=dest, env=env)
    _git("commit", "-q", "--no-verify", "-m", "snapshot of the gradlint checkout", cwd=dest, env=env)
    return dest


def _try_repo(repo, project, env):
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "gradlint", "--files", "bad.py", "bad.ipynb"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_try_repo_blocks_the_pitfall_and_passes_the_fix(tmp_path):
    env = _env(tmp_path)
    hooks = _snapshot_checkout(tmp_path / "gradlint-src", env)

    project = tmp_path / "project"
    _init_repo(project, env)
    (project / "bad.py").write_text(BAD)
    (project / "bad.ipynb").write_text(BAD_NB)
    _git("add", "bad.py", "bad.ipynb", cwd=project, env=env)

    failed = _try_repo(hooks, project, env)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "gradlint" in output and "Failed" in output, output
    assert "bad.py:3:1: GRD201" in output, output
    assert "bad.ipynb:cell 2:1:1: GRD201" in output, output  # types_or: [python, jupyter]

    (project / "bad.py").write_text(FIXED)
    (project / "bad.ipynb").write_text(FIXED_NB)
    _git("add", "bad.py", "bad.ipynb", cwd=project, env=env)

    passed = _try_repo(hooks, project, env)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output and "GRD201" not in output, output


def test_hook_manifest():
    yaml = pytest.importorskip("yaml")  # a dependency of pre-commit
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["gradlint"]
    hook = hooks[0]
    assert hook["entry"] == "gradlint check --force-exclude"
    assert hook["language"] == "python"
    # gradlint lints notebooks (code cells as one program), so the hook takes them too
    assert hook["types_or"] == ["python", "jupyter"] and "types" not in hook
    # gradlint parallelises itself: pre-commit must not start one gradlint per CPU on slices of the files
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"] == "2.9.0"  # types_or
    valid = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr
