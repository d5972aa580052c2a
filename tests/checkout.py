"""Copies of this checkout, as a fresh clone would hold it (for tests that need one)."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".benchmarks", "corpus", ".gradlint_cache"
)


def source_files(env=None):
    """The checkout's files as a commit of the working tree would hold them (relative paths)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout (e.g. an unpacked sdist)
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def copy_checkout(dest: Path, env=None) -> Path:
    """Copy the working tree (uncommitted changes included, ignored files left out) to ``dest``."""
    files = source_files(env)
    if files is None:
        shutil.copytree(ROOT, dest, ignore=_NOT_SOURCE)
    else:
        for name in files:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    return dest
