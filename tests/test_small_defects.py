"""Pipes, signals, the cache, syntax messages, the summary, exclude = [] and SARIF URIs."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradlint.cache import Cache, cache_root
from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"


def gradlint(*args, cwd, stdin=None, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args], capture_output=True, text=True, cwd=cwd, env=env, input=stdin
    )


def start(*args, cwd):
    # buffered, as a user's python is: PYTHONUNBUFFERED (set by some CI and harnesses) makes a
    # write into a pipe whose reader left end early instead of raising BrokenPipeError
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.Popen(
        [sys.executable, "-m", "gradlint", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def test_a_closed_pipe_is_a_quiet_exit(tmp_path):
    # far more output than a pipe holds (64 KiB), cheaply: 100 findings under a long path
    deep = tmp_path.joinpath(*["d" * 200] * 5)
    deep.mkdir(parents=True)
    (deep / "bad.py").write_text(
        "import torch\n" + "".join(f"w{i} = torch.zeros(3, requires_grad=True)\nw{i} += 1\n" for i in range(100))
    )
    for arguments in (["check", "--no-cache", "."], ["check", "--no-cache", "--format", "sarif", "."]):
        process = start(*arguments, cwd=tmp_path)
        assert process.stdout.readline()
        process.stdout.close()
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 1, stderr
        assert b"BrokenPipe" not in stderr and b"internal error" not in stderr and b"Traceback" not in stderr


def _busy_run(tmp_path):
    """A -j2 run over enough files to keep both workers busy for a while (about 20 s on an idle
    machine: a signal sent once the workers are up always finds the run under way)."""
    body = "".join(f"def f{i}(x):\n    y = x * 2\n    return y.sum()\n" for i in range(400))
    for index in range(200):
        (tmp_path / f"m{index}.py").write_text(BAD + body)
    process = start("check", "--no-cache", "-j2", ".", cwd=tmp_path)
    deadline = time.monotonic() + 30
    while len(_alive(process.pid)) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)  # the run and its two workers
    time.sleep(0.5)
    assert process.poll() is None, "the run ended before the test could signal it"
    return process


def _alive(session: int):
    """Processes of the run's session that are still running (not zombies waiting to be reaped)."""
    states = subprocess.run(["ps", "-e", "-o", "sid=,stat="], capture_output=True, text=True).stdout.split("\n")
    return [line for line in states if line.split()[:1] == [str(session)] and not line.split()[1].startswith("Z")]


def test_sigterm_stops_the_workers_quietly(tmp_path):
    # to the main process only, as `kill PID`, `timeout` or an editor sends it (a signal to the
    # whole group, as CI cancelling a job sends, ends every process by itself)
    process = _busy_run(tmp_path)
    os.kill(process.pid, signal.SIGTERM)
    # workers still holding the output pipes would keep communicate() waiting
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143
    assert b"Traceback" not in stderr and b"Error" not in stderr, stderr.decode()[-2000:]
    time.sleep(1)
    assert not _alive(process.pid)


def test_workers_of_a_killed_run_stop(tmp_path):
    """SIGKILL (the OOM killer) cannot be handled: the workers notice their parent is gone."""
    process = _busy_run(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    time.sleep(1)
    assert not _alive(process.pid)


def test_cache_key_has_libcst_version_and_bad_entries_are_ignored(tmp_path, monkeypatch):
    import gradlint.cache as cache_module

    cache = Cache(str(tmp_path), ["GRD201"])
    key = cache.key(b"x = 1\n", "a.py")
    monkeypatch.setattr(cache_module, "libcst_version", lambda: "0.0.1")
    assert Cache(str(tmp_path), ["GRD201"]).key(b"x = 1\n", "a.py") != key
    folder = tmp_path / "v1" / key[:2]
    folder.mkdir(parents=True)
    rows = [[1, 2, 3]], [["1", 1, "GRD201", "m", 1, 1, "n", "error", "", 0, []]], [[1, 1, "GRD201", "m", 1, 1, "n", "error", "", 0, [7]]], [None], 7
    entries = [{"reads": {}, "findings": junk} for junk in rows] + [{"a": 1}, [], 7, {"reads": [], "findings": []}]
    for junk in entries + [{"reads": {"b.py": "digest"}, "findings": []}, {"reads": {"b.py": 7}, "findings": []}]:
        (folder / f"{key}.json").write_text(json.dumps(junk))
        assert cache.get(key, "a.py", lambda path: {"b.py": "other"}[path]) is None
    (folder / f"{key}.json").write_text(json.dumps({"reads": {"b.py": "digest"}, "findings": []}))
    assert cache.get(key, "a.py", lambda path: {"b.py": "digest"}[path]) == []


def test_cache_lives_at_the_project_root_never_in_root(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / ".git").mkdir()
    monkeypatch.chdir("/")
    assert cache_root(None, [str(project / "src")]) == str(project / ".gradlint_cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    loose = tmp_path / "loose"
    loose.mkdir()
    assert cache_root(None, [str(loose)]) == str(loose / ".gradlint_cache")  # not the working directory, /
    assert cache_root(None, ["/"]).startswith(str(tmp_path / "xdg" / "gradlint"))


def test_python2_and_unsupported_syntax_messages():
    python2 = "import torch\ntry:\n    pass\nexcept ValueError, e:\n    pass\n"
    [finding] = lint_text(python2, "x.py", ALL_RULES)
    assert finding.code == "GRD001" and finding.line == 4 and "syntax error" in finding.message
    unsupported = BAD + "class A(metaclass=type, *bases):\n    pass\n"  # valid Python; libcst 1.9 refuses it
    [finding] = lint_text(unsupported, "x.py", ALL_RULES)
    assert finding.code == "GRD001" and "valid Python, but not supported by the parser" in finding.message


def test_indentation_mixing_tabs_and_spaces_that_cpython_accepts_is_linted():
    # the loop body is a tab and four spaces (column 12), its header four spaces: valid for CPython,
    # "no matching outer block for dedent" for libcst 1.9
    text = "import torch\n\ndef train(w):\n    for step in range(3):\n\t    w += 1\n    return w\n\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"
    compile(text, "x.py", "exec")
    findings = lint_text(text, "x.py", ALL_RULES)
    assert [(f.code, f.line) for f in findings] == [("GRD201", 9)]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 syntax is checkable there")
def test_fix_says_why_it_skips_newer_syntax(tmp_path):
    (tmp_path / "new.py").write_text("import torch.nn as nn\nm = nn.Linear(2, 2)\nm.requires_grad = False\ntype X = int\n")
    result = gradlint("check", "--fix", "new.py", cwd=tmp_path)
    assert "new.py: not fixed: it uses syntax this Python (3.11) cannot check" in result.stderr.replace("3.10", "3.11")


def test_summary_counts_files(tmp_path):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": [BAD]}] * 2
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    (tmp_path / "a.py").write_text(BAD)
    result = gradlint("check", ".", cwd=tmp_path)
    assert result.stderr.strip().endswith("in 2 of 2 files checked"), result.stderr


def test_empty_exclude_replaces_the_default_excludes(tmp_path):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text(BAD)
    (tmp_path / "a.py").write_text(BAD)
    assert [line.split(":")[0] for line in gradlint("check", ".", cwd=tmp_path).stdout.splitlines()] == ["a.py"]
    (tmp_path / "pyproject.toml").write_text("[tool.gradlint]\nexclude = []\n")
    names = [line.split(":")[0] for line in gradlint("check", ".", cwd=tmp_path).stdout.splitlines()]
    assert names == ["a.py", "build/gen.py"]


def test_sarif_uris_are_percent_encoded(tmp_path):
    (tmp_path / "my dir").mkdir()
    (tmp_path / "my dir" / "caf\u00e9 #1.py").write_text(BAD)
    log = json.loads(gradlint("check", "--format", "sarif", ".", cwd=tmp_path).stdout)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/caf%C3%A9%20%231.py"
