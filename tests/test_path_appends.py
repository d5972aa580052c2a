"""Folders the scripts of a folder put on ``sys.path`` above their own (``path_appends``).

A repository of several experiment folders shares one ``utils.py`` at its top; each script starts
with ``sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))`` (often
through a name: ``path = ...`` then ``sys.path.append(path)``) and then ``from utils import *``,
which brings ``torch``, ``nn`` and the helpers. The sibling modules the script imports use the same
``from utils import *`` without a line of their own: ``sys.path`` is the process's. Unresolved,
``torch`` itself is unknown in those files and nothing is found (corpus28 axeloh/gan-pytorch:
bigan/bigan.py:98 GRD205 missed).
"""

import textwrap

from gradlint.analysis.path_appends import _levels_up, appended_folders
from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE

UTILS = """\
import torch
import torch.nn as nn


def log(x):
    return torch.log(x + 1e-8)
"""

TRAIN = """\
import sys
import os
path = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.append(path)

from utils import *
from models import Critic

critic = Critic()
opt = torch.optim.SGD(critic.parameters(), lr=0.1)
history = []
for step in range(10):
    opt.zero_grad()
    out = critic(torch.rand(4, 3))
    (out - 1).pow(2).mean().backward()
    opt.step()
    history.append(log(out).mean())
"""

MODELS = """\
from utils import *


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(3, 1), nn.Sigmoid())

    def forward(self, x):
        return self.fc(x)
"""


def _lint(path, code):
    forget_projects()
    return [f.line for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE[code]])]


def _write(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_the_levels_a_sys_path_line_climbs():
    assert _levels_up(b'os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))') == 1
    assert _levels_up(b"os.path.dirname(os.path.dirname(os.path.abspath(__file__)))") == 1
    assert _levels_up(b"'..'") == 1
    assert _levels_up(b"0, '../..'") == 2
    assert _levels_up(b"os.path.dirname(__file__)") == 0  # the script's own folder, a root already
    assert _levels_up(b'"../src"') == 0  # another folder: not followed
    assert _levels_up(b'"/opt/lib"') == 0


def test_a_helper_module_above_found_through_the_scripts_sys_path(tmp_path):
    _write(tmp_path, {"utils.py": UTILS, "exp/train.py": TRAIN, "exp/models.py": MODELS})
    assert appended_folders(str(tmp_path / "exp" / "models.py")) == (str(tmp_path),)
    # `log` (the helper of utils.py the star import brings) keeps the graph: each iteration's is kept
    assert _lint(tmp_path / "exp" / "train.py", "GRD502") == [17]


def test_without_the_sys_path_line_the_folder_above_is_not_looked_in(tmp_path):
    _write(tmp_path, {"utils.py": UTILS, "exp/train.py": TRAIN.replace("sys.path.append(path)\n", ""), "exp/models.py": MODELS})
    assert appended_folders(str(tmp_path / "exp" / "train.py")) == ()
    assert _lint(tmp_path / "exp" / "train.py", "GRD502") == []  # `log` unknown: silent


def test_the_scripts_whose_sys_path_lines_count_are_read_for_the_result_cache(tmp_path):
    # the result of a module without a line of its own depends on its sibling script's line: an edit
    # removing it must change the cache key (``imports.recording_reads``)
    from gradlint.analysis.imports import recording_reads

    _write(tmp_path, {"utils.py": UTILS, "exp/train.py": TRAIN, "exp/models.py": MODELS})
    forget_projects()
    with recording_reads() as paths:
        _lint(tmp_path / "exp" / "models.py", "GRD502")
    assert str(tmp_path / "exp" / "train.py") in paths


def test_a_batch_asks_each_folder_once_and_a_later_run_sees_a_new_line(tmp_path, monkeypatch):
    from gradlint.analysis import path_appends
    from gradlint.analysis.project import one_snapshot

    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "train.py").write_text(TRAIN)
    (exp / "models.py").write_text(MODELS)
    listed = []
    real_listdir = path_appends.os.listdir
    monkeypatch.setattr(path_appends.os, "listdir", lambda folder: listed.append(folder) or real_listdir(folder))
    from gradlint.analysis.imports import recording_reads

    with one_snapshot():
        assert appended_folders(str(exp / "train.py")) == (str(tmp_path),)
        with recording_reads() as paths:
            assert appended_folders(str(exp / "models.py")) == (str(tmp_path),)
    assert str(exp / "train.py") in paths  # a cached answer still tells the cache which scripts it read
    assert listed == [str(exp)]  # the second file of the folder is answered from the batch's cache
    # outside the batch the folder is read again: a script's line removed since is gone
    (exp / "train.py").write_text(TRAIN.replace("sys.path.append(path)", "print(path)"))
    assert appended_folders(str(exp / "models.py")) == ()
