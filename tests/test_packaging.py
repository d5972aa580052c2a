"""What a user installs and reads first: the distribution, its metadata, the README's commands,
and a test suite that needs nothing beside the repository."""

import json
import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from checkout import copy_checkout
from gradlint import __version__
from gradlint.rules import ALL_RULES

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
#: `gradlint` on PyPI is an unrelated diffusion-MRI tool; this name was free when chosen
DISTRIBUTION = "torch-gradlint"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _setuptools_major() -> int:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return 0


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy: a build writes *.egg-info and build/ into its source tree
    source = copy_checkout(tmp_path_factory.mktemp("source") / "gradlint")
    # the installed setuptools when it meets the build requirement (offline); else pip fetches one that does
    isolation = ["--no-build-isolation"] if _setuptools_major() >= 77 else []
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "SetuptoolsDeprecationWarning" not in built.stderr, built.stderr
    [path] = out.glob("*.whl")
    return path


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(name).decode())


def test_distribution_name_is_not_the_unrelated_pypi_gradlint(wheel):
    assert PYPROJECT["project"]["name"] == DISTRIBUTION
    assert wheel.name.startswith("torch_gradlint-")
    metadata = _metadata(wheel)
    assert metadata["Name"] == DISTRIBUTION
    # the command and the import package keep their names
    assert PYPROJECT["project"]["scripts"] == {"gradlint": "gradlint.cli:main"}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "gradlint/__init__.py" in names


def test_published_metadata(wheel):
    metadata = _metadata(wheel)
    assert metadata["Version"] == __version__  # defined once, in gradlint/__init__.py
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    with zipfile.ZipFile(wheel) as archive:
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist())
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    classifiers = metadata.get_all("Classifier")
    assert "Topic :: Software Development :: Quality Assurance" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # the SPDX expression replaces them
    assert "autograd" in metadata["Keywords"]
    assert metadata["Requires-Python"]


def test_build_requirement_is_bounded():
    [requirement] = PYPROJECT["build-system"]["requires"]
    assert re.fullmatch(r"setuptools>=77[0-9.]*,<\d+", requirement), requirement


def _requirement(extra, package):
    [spec] = [r for r in PYPROJECT["project"]["optional-dependencies"][extra] if re.match(rf"{package}\b", r)]
    return spec[len(package):]


def test_verify_extra_accepts_a_torch_range_and_the_test_extra_pins_the_tested_one():
    verify = _requirement("verify", "torch")
    # the range's floor is the oldest torch every fixture was verified under (2.1.2), and 2.13.0 is in it
    assert verify == ">=2.1,<3", verify
    # a fresh CI machine has no torch: the test extra must resolve to the wheel on disk, never float
    assert _requirement("test", "torch") == "==2.13.0"


def test_fixtures_ship_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in ALL_RULES:
        for name in ("bad.py", "good.py", "README.md"):
            assert f"gradlint/fixtures/{rule.code}/{name}" in names
    assert not any(name.startswith("torch/") for name in names)


def _documents():
    paths = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *ROOT.glob("docs/**/*.md"), *ROOT.glob("gradlint/**/*.py")]
    return {path: path.read_text(encoding="utf-8") for path in paths}


def _installed_names(text):
    """What each ``pip install ...`` command in a text asks for (up to ``&&``, ``;``, a backtick or the line end)."""
    for match in re.finditer(r"pip install([^\n`;&]*)", text):
        for token in match.group(1).split():
            name = token.strip("'\"")
            if not name.startswith("-"):
                yield re.split(r"[\[<>=!~ ]", name, 1)[0]


def test_every_install_instruction_names_the_distribution():
    offenders = [
        f"{path.relative_to(ROOT)}: pip install {name}"
        for path, text in _documents().items()
        for name in _installed_names(text)
        if name == "gradlint"
    ]
    assert offenders == []
    readme = (ROOT / "README.md").read_text()
    assert f"pip install {DISTRIBUTION}" in readme
    from gradlint.cli import VERIFY_HINT

    assert f"{DISTRIBUTION}[verify]" in VERIFY_HINT


README_COMMANDS = ["pip install . && gradlint check examples/", 'pip install ".[test]" && python -m pytest -q']


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[:5] == ["# gradlint", "", "```bash", *README_COMMANDS] and lines[5] == "```"
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == README_COMMANDS[1]


def test_readme_explains_the_virtualenv_and_the_cpu_only_torch():
    readme = (ROOT / "README.md").read_text()
    intro = readme.split("**gradlint** is", 1)[0]
    assert "python -m venv" in intro
    # PyPI's Linux torch wheel pulls the CUDA libraries: the CPU-only build is on PyTorch's own index
    assert "--index-url https://download.pytorch.org/whl/cpu" in intro
    assert "the CPU build `torch==2.13.0`" not in readme


def test_no_test_reads_outside_the_repository():
    # the repository's parent (where a developer's ../shared happens to sit), reached however
    escapes = re.compile(r"""ROOT\.parent\b|\.parent\.parent\.parent|\.\./shared|/\s*['"]shared['"]""")
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in (ROOT / "tests").glob("*.py")
        if path.name != "test_packaging.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if escapes.search(line)
    ]
    assert offenders == []


def test_sarif_schema_is_vendored():
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert "sarif-schema-2.1.0.json" in (ROOT / "tests" / "data" / "README.md").read_text()


def test_sarif_test_passes_in_a_copy_with_nothing_beside_it(tmp_path):
    pytest.importorskip("jsonschema")
    clone = copy_checkout(tmp_path / "alone" / "gradlint")
    assert not (clone.parent / "shared").exists()
    env = {**os.environ, "PYTHONPATH": str(clone)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_integrations.py", "-k", "sarif"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\b[1-9]\d* passed\b", result.stdout), result.stdout


def test_readme_pre_commit_snippet_names_the_hook_and_no_missing_tag():
    yaml = pytest.importorskip("yaml")
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    [repo] = yaml.safe_load(snippet)["repos"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in repo["hooks"]] == [hook["id"] for hook in hooks]
    # no release is tagged: the snippet names the branch and says so, rather than a tag that does not exist
    assert repo["rev"] == "main"
    assert "No release has been tagged" in readme
