"""gitignore handling: in-process, never running git (or anything) from the linted tree."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gradlint.gitignore import GitIgnore

ROOT = Path(__file__).resolve().parent.parent
BAD = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\n"
HAS_GIT = shutil.which("git") is not None


def gradlint(*args, cwd):
    # a strict UTF-8 stdout, as under most locales other than C.UTF-8
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run([sys.executable, "-m", "gradlint", *args], capture_output=True, cwd=cwd, env=env)


def reported(result):
    return sorted({line.split(b":")[0].decode("utf-8", "surrogateescape") for line in result.stdout.splitlines()})


def tree(root: Path, files: dict):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def test_hostile_repository_runs_nothing(tmp_path):
    """A repository's .git/config can name commands (core.fsmonitor): gradlint must not run them."""
    marker = tmp_path / "PWNED"
    repo = tmp_path / "repo"
    tree(repo, {".gitignore": "ignored/\n", "bad.py": BAD, "ignored/bad.py": BAD})
    command = f"touch {marker}; false"
    if HAS_GIT:
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        subprocess.run(["git", "add", "bad.py"], cwd=repo, check=True)
        subprocess.run(["git", "config", "core.fsmonitor", command], cwd=repo, check=True)
        # the trap is real: git itself runs the command
        subprocess.run(["git", "check-ignore", "bad.py"], cwd=repo, capture_output=True)
        assert marker.exists()
        marker.unlink()
    else:
        (repo / ".git").mkdir()
        (repo / ".git" / "config").write_text(f'[core]\n\tfsmonitor = "{command}"\n')
    result = gradlint("check", ".", cwd=repo)
    assert reported(result) == ["bad.py"]
    assert not marker.exists()


def test_gitignore_semantics(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("excluded.py\n")
    tree(
        tmp_path,
        {
            ".gitignore": "*.gen.py\n!keep.gen.py\nbuild/\n/rooted.py\n",
            "pkg/.gitignore": "!again.gen.py\nlocal.py\n",
            "excluded.py": "",
            "a.gen.py": "",
            "keep.gen.py": "",
            "rooted.py": "",
            "pkg/rooted.py": "",
            "pkg/again.gen.py": "",
            "pkg/other.gen.py": "",
            "pkg/local.py": "",
            "local.py": "",
            "build/keep.gen.py": "",  # inside an ignored directory: a negation cannot bring it back
        },
    )
    ignore = GitIgnore()
    ignored = {
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*.py")
        if ignore.is_ignored(str(p))
    }
    assert ignored == {"excluded.py", "a.gen.py", "rooted.py", "pkg/other.gen.py", "pkg/local.py", "build/keep.gen.py"}
    if HAS_GIT:  # agree with git on a repository we made ourselves
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        (tmp_path / ".git" / "info" / "exclude").write_text("excluded.py\n")
        names = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")]
        out = subprocess.run(
            ["git", "check-ignore", "--no-index", *names], cwd=tmp_path, capture_output=True, text=True
        ).stdout.split()
        assert set(out) == ignored


def test_outside_any_repository_gitignore_files_do_not_apply(tmp_path):
    tree(tmp_path, {".gitignore": "*.py\n", "a.py": ""})
    assert not GitIgnore().is_ignored(str(tmp_path / "a.py"))


def test_nested_repository_has_its_own_rules(tmp_path):
    """A submodule: the outer .gitignore stops at its root, its own rules and info/exclude apply."""
    (tmp_path / ".git" / "modules" / "sub" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "modules" / "sub" / "info" / "exclude").write_text("secret.py\n")
    tree(
        tmp_path,
        {
            ".gitignore": "gen.py\nvendor/\n",
            "gen.py": "",
            "sub/.git": "gitdir: ../.git/modules/sub\n",
            "sub/.gitignore": "own.py\n",
            "sub/gen.py": "",
            "sub/own.py": "",
            "sub/secret.py": "",
            "vendor/.git/HEAD": "",
            "vendor/lib.py": "",
        },
    )
    ignore = GitIgnore()
    assert ignore.is_ignored(str(tmp_path / "gen.py"))
    assert not ignore.is_ignored(str(tmp_path / "sub" / "gen.py"))
    assert ignore.is_ignored(str(tmp_path / "sub" / "own.py"))
    assert ignore.is_ignored(str(tmp_path / "sub" / "secret.py"))
    # the enclosing repository ignores the nested one's directory: the walk never enters it
    assert ignore.is_ignored(str(tmp_path / "vendor" / "lib.py"))


def test_paths_spanning_two_repositories_and_non_utf8_names(tmp_path):
    for repo in ("one", "two"):
        (tmp_path / repo / ".git").mkdir(parents=True)
        tree(tmp_path / repo, {".gitignore": "skip_*.py\n", "bad.py": BAD, "skip_me.py": BAD})
    odd = os.fsencode(tmp_path / "two") + b"/caf\xe9.py"
    with open(odd, "wb") as handle:
        handle.write(BAD.encode())
    with open(os.fsencode(tmp_path / "two") + b"/skip_\xff.py", "wb") as handle:
        handle.write(BAD.encode())
    result = gradlint("check", "one", "two", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    assert reported(result) == ["one/bad.py", "two/bad.py", os.fsdecode(b"two/caf\xe9.py")]


@pytest.mark.parametrize("named", [True, False])
def test_files_named_on_the_command_line(tmp_path, named):
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "gen.py\n", "gen.py": BAD})
    args = ["gen.py"] if named else ["--force-exclude", "gen.py"]
    assert reported(gradlint("check", *args, cwd=tmp_path)) == (["gen.py"] if named else [])


@pytest.fixture
def user_home(tmp_path, monkeypatch):
    """A user whose git configuration lives under tmp_path (git reads these, so gradlint must)."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return home


def _repo(root: Path):
    tree(root, {".git/info/.keep": "", "keep.py": BAD, "draft.py": BAD, "notes/scratch.py": BAD, "local.py": BAD})
    return root


def _kept(root: Path):
    ignore = GitIgnore()
    return sorted(name for name in ("keep.py", "draft.py", "notes/scratch.py", "local.py") if not ignore.is_ignored(str(root / name)))


def test_the_users_core_excludes_file_applies(tmp_path, user_home):
    repo = _repo(tmp_path / "repo")
    # quoting, a comment, a continued line and an include, as git reads them
    (user_home / ".gitconfig").write_text(
        '[user]\n\tname = x ; comment\n[include]\n\tpath = more.gitconfig\n[core "x"]\n\texcludesFile = /nowhere\n'
    )
    (user_home / "more.gitconfig").write_text('[Core]\n\tExcludesFile = "~/my \\\nignore" # the global one\n')
    (user_home / "my ignore").write_text("draft.py\nnotes/\n")
    assert _kept(repo) == ["keep.py", "local.py"]
    # the repository's info/exclude outranks it; a repository's own core.excludesFile replaces it
    (repo / ".git" / "info" / "exclude").write_text("!draft.py\n")
    assert _kept(repo) == ["draft.py", "keep.py", "local.py"]
    (repo / ".git" / "config").write_text("[core]\n\texcludesfile = .git/mine\n")
    (repo / ".git" / "mine").write_text("local.py\n")
    assert _kept(repo) == ["draft.py", "keep.py", "notes/scratch.py"]


def test_the_default_excludes_file_in_xdg_config_home(tmp_path, user_home, monkeypatch):
    repo = _repo(tmp_path / "repo")
    (user_home / ".config" / "git").mkdir(parents=True)
    (user_home / ".config" / "git" / "ignore").write_text("draft.py\n")
    assert _kept(repo) == ["keep.py", "local.py", "notes/scratch.py"]
    xdg = tmp_path / "xdg"
    (xdg / "git").mkdir(parents=True)
    (xdg / "git" / "ignore").write_text("local.py\n")
    (xdg / "git" / "config").write_text("[core]\n\tbare = false\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert _kept(repo) == ["draft.py", "keep.py", "notes/scratch.py"]
    # ~/.gitconfig is read after the XDG file and wins
    (xdg / "git" / "config").write_text(f"[core]\n\texcludesFile = {xdg / 'none'}\n")
    (user_home / ".gitconfig").write_text("[core]\n\texcludesFile = ~/.config/git/ignore\n")
    assert _kept(repo) == ["keep.py", "local.py", "notes/scratch.py"]


def test_a_hostile_excludes_file_is_only_ever_read(tmp_path, user_home):
    """A repository's config naming a FIFO, a directory or commands: nothing blocks, nothing runs."""
    marker = tmp_path / "PWNED"
    repo = _repo(tmp_path / "repo")
    os.mkfifo(repo / ".git" / "fifo")
    for target in ("fifo", "info", f"$(touch {marker})", f"!touch {marker}"):
        (repo / ".git" / "config").write_text(
            f'[core]\n\tfsmonitor = "touch {marker}"\n\texcludesFile = .git/{target}\n[include]\n\tpath = fifo\n'
        )
        result = gradlint("check", "--no-cache", ".", cwd=repo)
        assert reported(result) == ["draft.py", "keep.py", "local.py", "notes/scratch.py"], result.stderr
    assert not marker.exists()
