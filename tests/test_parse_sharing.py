"""One parse per file and run: a linted module serves the files importing it, and the other way round."""

import collections
import textwrap

import libcst
import pytest

from gradlint.analysis import imports, parsed
from gradlint.analysis.project import forget_projects
from gradlint.rules import ALL_RULES
from gradlint import runner
from gradlint.runner import lint_files
from test_project import NET

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

MODELS = NET

TRAIN = """\
    import torch
    from models import Net

    model = Net()
    logits, probs = model(torch.randn(1, 4))
    print(probs.numpy())
    """

EVALUATE = """\
    import torch
    from models import Net

    model = Net()
    for batch in range(3):
        logits, probs = model(torch.randn(1, 4))
        print(probs.detach().numpy())
    """


def fresh_process_state():
    """What a new process starts from: nothing parsed, loaded or scanned yet."""
    parsed.forget_trees()
    imports._LOADED.clear()
    forget_projects()


@pytest.fixture
def project(tmp_path, monkeypatch):
    # linted in this process (as where fork is missing), where the parses can be counted
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    for name, text in {"models.py": MODELS, "train.py": TRAIN, "evaluate.py": EVALUATE}.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    fresh_process_state()
    yield tmp_path
    fresh_process_state()


@pytest.fixture
def parses(monkeypatch):
    """How many times libcst parsed each text."""
    counts = collections.Counter()
    original = libcst.parse_module

    def counting(source, *args, **kwargs):
        counts[source] += 1
        return original(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting)
    return counts


def summary(findings):
    return sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in findings)


@pytest.mark.parametrize("first", ["models.py", "train.py"])
def test_each_file_is_parsed_once_per_run_whatever_the_order(project, parses, first):
    order = [first] + [name for name in ("models.py", "train.py", "evaluate.py") if name != first]
    lint_files([str(project / name) for name in order], DEFAULT, jobs=1)
    texts = {name: (project / name).read_text() for name in order}
    assert {name: parses[text] for name, text in texts.items()} == {name: 1 for name in order}


def test_sharing_trees_changes_no_finding(project):
    paths = [str(project / name) for name in ("train.py", "models.py", "evaluate.py")]
    shared = summary(lint_files(paths, DEFAULT, jobs=1))
    alone = []
    for path in paths:
        fresh_process_state()
        alone += lint_files([path], DEFAULT, jobs=1)
    assert shared == summary(alone)
    assert ("train.py", 6, "GRD503") in shared  # the imported model's outputs were known


def test_an_edited_module_is_parsed_again(project, parses):
    lint_files([str(project / "models.py"), str(project / "train.py")], DEFAULT, jobs=1)
    edited = textwrap.dedent(MODELS) + "\nEXTRA = 1\n"
    (project / "models.py").write_text(edited)
    lint_files([str(project / "models.py")], DEFAULT, jobs=1)
    assert parses[edited] == 1
