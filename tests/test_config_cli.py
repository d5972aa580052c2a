"""Configuration and suppression as Ruff users expect: the nearest [tool.gradlint] per file,
`extend`, the command-line exclude/ignore options, --show-settings/--show-files, file-level
noqa with codes, colours and the --format help."""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAF = "import torch\nw = torch.zeros(3, requires_grad=True)\n"
BAD = LEAF + "w += 1\ny = w * 2\nprint(y.grad)\n"  # GRD201 on line 3, GRD301 on line 5


def gradlint(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "gradlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def check(*args, cwd):
    return gradlint("check", "--no-cache", *args, cwd=cwd)


def reported(result):
    """(path, code) pairs from JSON output."""
    return sorted((f["path"], f["code"]) for f in json.loads(result.stdout))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def monorepo(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nselect = ["GRD2"]\n')
    write(tmp_path / "app" / "train.py", BAD)
    write(tmp_path / "lib" / "pyproject.toml", '[tool.gradlint]\nselect = ["GRD3"]\n')
    write(tmp_path / "lib" / "model.py", BAD)
    return tmp_path


def test_the_nearest_configuration_applies_to_each_file(tmp_path):
    monorepo(tmp_path)
    both = check("--format", "json", "app/train.py", "lib/model.py", cwd=tmp_path)
    assert reported(both) == [("app/train.py", "GRD201"), ("lib/model.py", "GRD301")]
    # pre-commit passes whatever is staged: a file's rules do not depend on the company it keeps
    alone = check("--format", "json", "lib/model.py", cwd=tmp_path)
    assert reported(alone) == [("lib/model.py", "GRD301")]
    assert reported(check("--format", "json", ".", cwd=tmp_path)) == reported(both)


def test_extend_inherits_and_patterns_stay_relative_to_their_file(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        '[tool.gradlint]\nselect = ["GRD2", "GRD3"]\n[tool.gradlint.per-file-ignores]\n"pkg/legacy/*" = ["GRD201"]\n',
    )
    write(tmp_path / "pkg" / "pyproject.toml", '[tool.gradlint]\nextend = "../pyproject.toml"\nignore = ["GRD301"]\n')
    write(tmp_path / "pkg" / "legacy" / "old.py", BAD)
    write(tmp_path / "pkg" / "new.py", BAD)
    result = check("--format", "json", "pkg", cwd=tmp_path)
    assert reported(result) == [("pkg/new.py", "GRD201")], result.stderr


def test_an_extend_cycle_is_a_one_line_error(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nextend = "sub/pyproject.toml"\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.gradlint]\nextend = "../pyproject.toml"\n')
    write(tmp_path / "sub" / "x.py", BAD)
    result = check("-q", "sub/x.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "cycle" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout.count("GRD201") == 1  # linted with the default settings


def test_command_line_exclude_and_ignore_options(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nextend-exclude = ["generated"]\n')
    for name in ("src/a.py", "generated/b.py", "scratch/c.py", "tests/test_d.py"):
        write(tmp_path / name, BAD)
    files = lambda result: sorted({path for path, _ in reported(result)})  # noqa: E731
    assert files(check("--format", "json", ".", cwd=tmp_path)) == ["scratch/c.py", "src/a.py", "tests/test_d.py"]
    assert files(check("--format", "json", "--extend-exclude", "scratch", ".", cwd=tmp_path)) == [
        "src/a.py",
        "tests/test_d.py",
    ]
    # --exclude replaces the configured exclude (not the configured extend-exclude)
    assert files(check("--format", "json", "--exclude", "src", ".", cwd=tmp_path)) == ["scratch/c.py", "tests/test_d.py"]
    result = check("--format", "json", "--per-file-ignores", "tests/*:GRD201 scratch/*:GRD2,GRD3", ".", cwd=tmp_path)
    assert reported(result) == [
        ("src/a.py", "GRD201"),
        ("src/a.py", "GRD301"),
        ("tests/test_d.py", "GRD301"),
    ]
    result = check("--format", "json", "--ignore", "GRD201", "--extend-ignore", "GRD301", ".", cwd=tmp_path)
    assert reported(result) == []
    bad = check("--per-file-ignores", "no-colon-here", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "PATTERN:CODES" in bad.stderr


def test_show_settings_and_show_files(tmp_path):
    monorepo(tmp_path)
    settings = check("--show-settings", "lib/model.py", cwd=tmp_path)
    assert settings.returncode == 0, settings.stderr
    assert f"config = {tmp_path / 'lib' / 'pyproject.toml'}" in settings.stdout
    assert "rules = [GRD301, GRD302, GRD303, GRD304]" in settings.stdout  # select names info rules too
    settings = check("--show-settings", "--extend-select", "GRD204", "app/train.py", cwd=tmp_path)
    assert "GRD204" in settings.stdout and "GRD301" not in settings.stdout
    write(tmp_path / "notes.txt", "not python")
    files = check("--show-files", "--extend-exclude", "app", ".", cwd=tmp_path)
    assert (files.returncode, files.stdout.splitlines()) == (0, ["lib/model.py"])


def test_show_settings_shows_the_limits_and_extend_inherits_them(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nmax-memory = "1 GiB"\nmax-file-size = 2048\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[tool.gradlint]\nextend = "../pyproject.toml"\nmax-file-size = "3 MiB"\n')
    write(tmp_path / "pkg" / "a.py", BAD)
    write(tmp_path / "free" / "pyproject.toml", '[tool.gradlint]\nextend = "../pyproject.toml"\nmax-memory = 0\n')
    write(tmp_path / "free" / "b.py", BAD)

    def shown(*args):
        result = check("--show-settings", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if line.startswith(("max-", "file-timeout"))]

    assert shown("a.py") == ['max-file-size = "2 KiB"', 'max-memory = "1 GiB"', "file-timeout = 60"]
    assert shown("pkg/a.py") == ['max-file-size = "3 MiB"', 'max-memory = "1 GiB"', "file-timeout = 60"]
    assert shown("--file-timeout", "2.5", "free/b.py") == ['max-file-size = "2 KiB"', "max-memory = 0", "file-timeout = 2.5"]
    assert shown("new/c.py")[1] == 'max-memory = "1 GiB"'
    assert "baseline = (none)" in check("--show-settings", "a.py", cwd=tmp_path).stdout
    write(tmp_path / "free" / "pyproject.toml", '[tool.gradlint]\nmax-memory = false\n')
    result = check("free/b.py", cwd=tmp_path)
    assert result.returncode == 2 and "'max-memory': must be a positive number of bytes" in result.stderr


def test_show_settings_names_the_baseline_the_run_filters_with(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nbaseline = "known.json"\n')
    write(tmp_path / "a.py", BAD)
    for name in ("known.json", "other.json"):
        assert check("--write-baseline", name, "a.py", cwd=tmp_path).returncode == 0
    configured = check("--show-settings", "a.py", cwd=tmp_path)
    assert f"baseline = {tmp_path / 'known.json'}" in configured.stdout.splitlines(), configured.stdout
    given = check("--show-settings", "--baseline", "other.json", "a.py", cwd=tmp_path)
    assert "baseline = other.json" in given.stdout.splitlines(), given.stdout


def test_each_file_gets_the_limits_of_its_own_configuration(tmp_path):
    big = BAD + "# padding\n" * 300
    write(tmp_path / "pyproject.toml", '[tool.gradlint]\nmax-file-size = "1 KiB"\n')
    write(tmp_path / "app" / "pyproject.toml", '[tool.gradlint]\nextend = "../pyproject.toml"\nselect = ["GRD2"]\n')
    write(tmp_path / "app" / "big.py", big)
    write(tmp_path / "lib" / "pyproject.toml", '[tool.gradlint]\nselect = ["GRD2"]\n')
    write(tmp_path / "lib" / "big.py", big)
    result = check("--format", "json", ".", cwd=tmp_path)
    assert reported(result) == [("app/big.py", "GRD001"), ("lib/big.py", "GRD201")]


def test_file_level_noqa_with_codes(tmp_path):
    write(tmp_path / "a.py", "# gradlint: noqa: GRD201\n" + BAD)
    write(tmp_path / "b.py", "# gradlint: noqa: GRD2, GRD301\n" + BAD)
    write(tmp_path / "c.py", "# gradlint: noqa\n" + BAD)
    result = check("--format", "json", ".", cwd=tmp_path)
    assert reported(result) == [("a.py", "GRD301")]


def _on_a_terminal(*args, cwd, env):
    """Run gradlint with stdout on a pseudo-terminal; returns what it printed there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gradlint", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


def test_colours_on_a_terminal_only(tmp_path):
    write(tmp_path / "bad.py", BAD)
    clean_env = {k: "" for k in ("NO_COLOR",)}
    assert "\x1b[" in _on_a_terminal("check", "--no-cache", "bad.py", cwd=tmp_path, env=clean_env)
    assert "\x1b[" not in _on_a_terminal("check", "--no-cache", "bad.py", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert "\x1b[" not in _on_a_terminal("check", "--no-cache", "--color", "never", "bad.py", cwd=tmp_path, env=clean_env)
    piped = check("bad.py", cwd=tmp_path)
    assert "\x1b[" not in piped.stdout and "bad.py:3:1: GRD201" in piped.stdout
    forced = check("--color", "always", "bad.py", cwd=tmp_path)
    assert "\x1b[" in forced.stdout


def test_format_help_explains_each_format(tmp_path):
    help_text = " ".join(gradlint("check", "--help", cwd=tmp_path).stdout.split())
    for words in ("text: path:line:col: CODE message", "json:", "sarif: SARIF 2.1.0", "github: GitHub Actions"):
        assert words in help_text, help_text


def test_statistics_in_json(tmp_path):
    write(tmp_path / "a.py", BAD)
    write(tmp_path / "b.py", BAD)
    result = check("--statistics", "--format", "json", ".", cwd=tmp_path)
    rows = json.loads(result.stdout)
    assert [(r["code"], r["name"], r["count"]) for r in rows] == [
        ("GRD201", "inplace-on-leaf", 2),
        ("GRD301", "grad-of-non-leaf", 2),
    ]
    assert all(r["help_uri"].endswith(f"{r['code']}.md") for r in rows)
