"""A model's own method run by a caller in another file that switched the model's mode: the caller's
``net.eval()`` is the mode of ``self`` in the linted file's walk of that method (GRD505)."""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

MODELS = """\
import torch.nn as nn


class Composer(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.GRU(6, 12)
        self.out = nn.Linear(12, 6)

    def forward(self, notes, state=None):
        hidden, state = self.cell(notes, state)
        return self.out(hidden), state

    def compose(self, opening, length):
        played, state = self.forward(opening)
        score = []
        for _ in range(length):
            played, state = self.forward(played[-1:], state)
            score.append(played[-1].detach().numpy())
        return score
"""


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _lint(path):
    rules = [rule for rule in ALL_RULES if rule.default_enabled()]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


def test_method_of_a_model_the_caller_switched_to_eval(tmp_path):
    _write(
        tmp_path,
        {
            "music/__init__.py": "",
            "music/models.py": MODELS,
            "generate.py": """\
                import torch
                from music.models import Composer

                composer = Composer()
                composer.load_state_dict(torch.load("composer.pt"))
                composer.eval()
                melody = composer.compose(torch.zeros(3, 1, 6), 500)
            """,
        },
    )
    forget_projects()
    assert (18, "GRD505") in _lint(tmp_path / "music" / "models.py")


def test_same_method_run_under_no_grad_or_in_train_mode_is_silent(tmp_path):
    _write(
        tmp_path,
        {
            "music/__init__.py": "",
            "music/models.py": MODELS,
            "generate.py": """\
                import torch
                from music.models import Composer

                composer = Composer()
                composer.eval()
                with torch.no_grad():
                    melody = composer.compose(torch.zeros(3, 1, 6), 500)
                student = Composer()
                student.train()
                draft = student.compose(torch.zeros(3, 1, 6), 20)
            """,
        },
    )
    forget_projects()
    assert [code for _, code in _lint(tmp_path / "music" / "models.py") if code == "GRD505"] == []


def test_package_that_imports_its_own_module_reaches_the_callers(tmp_path):
    # `import music` then `music.models.Composer()`: the package's __init__ imports the module,
    # so the script is one of its callers, and it knows the class it builds
    _write(
        tmp_path,
        {
            "music/__init__.py": "from . import models\n",
            "music/models.py": MODELS,
            "generate.py": """\
                import torch
                import music

                composer = music.models.Composer()
                composer.eval()
                melody = composer.compose(torch.zeros(3, 1, 6), 500)
                for bar in [torch.zeros(2, 1, 6)] * 4:
                    played, _ = composer(bar)
                    print(played.sum().item())
            """,
        },
    )
    forget_projects()
    assert (18, "GRD505") in _lint(tmp_path / "music" / "models.py")
    assert (8, "GRD505") in _lint(tmp_path / "generate.py")


def test_from_package_import_module_under_no_grad_is_silent(tmp_path):
    _write(
        tmp_path,
        {
            "music/__init__.py": "",
            "music/models.py": MODELS,
            "generate.py": """\
                import torch
                from music import models

                composer = models.Composer()
                composer.eval()
                with torch.no_grad():
                    for bar in [torch.zeros(2, 1, 6)] * 4:
                        played, _ = composer(bar)
                        print(played.sum().item())
                    melody = composer.compose(torch.zeros(3, 1, 6), 500)
            """,
        },
    )
    forget_projects()
    assert [c for _, c in _lint(tmp_path / "generate.py") if c == "GRD505"] == []
    assert [c for _, c in _lint(tmp_path / "music" / "models.py") if c == "GRD505"] == []
