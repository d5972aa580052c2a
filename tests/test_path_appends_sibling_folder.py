"""A script in ``code/`` puts the repository's ``lib/`` on ``sys.path`` by a relative path that climbs
and goes down again (``sys.path.append('../lib/')``), then ``from helperFunctions import *``: torch,
``nn``, ``optim`` and the project's model builder all come from there. Resolved, the training loop is
seen: its validation switches the network to ``eval()`` each epoch and nothing switches it back
(GRD510). Unresolved (no such line, or no such folder), ``torch`` itself is unknown and nothing is
claimed."""

import textwrap

from gradlint.analysis.path_appends import _sibling_folder
from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE

HELPERS = """\
import torch
import torch.nn as nn
import torch.optim as optim


def create_classifier():
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 1))
"""

TRAIN = """\
import sys
sys.path.append('../lib/')
from helperFunctions import *


def main(train_loader, val_loader, epochs=5):
    net = create_classifier()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for epoch in range(epochs):
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            for inputs, labels in val_loader:
                net.eval()
                val_loss = criterion(net(inputs), labels)
"""


def _lint(root, files, target, code="GRD510"):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    forget_projects()
    path = root / target
    return [f.line for f in lint_bytes(path.read_bytes(), str(path), [BY_CODE[code]])]


def test_the_folder_a_relative_sys_path_line_names(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "lib").mkdir()
    assert _sibling_folder(b"'../lib/'", str(tmp_path / "code")) == str(tmp_path / "lib")
    assert _sibling_folder(b'0, "../lib"', str(tmp_path / "code")) == str(tmp_path / "lib")
    assert _sibling_folder(b'"../missing"', str(tmp_path / "code")) is None  # no such folder
    assert _sibling_folder(b'".."', str(tmp_path / "code")) is None  # the folder above: _levels_up's
    assert _sibling_folder(b'"/opt/lib"', str(tmp_path / "code")) is None


def test_helpers_of_a_sibling_folder_found(tmp_path):
    files = {"lib/helperFunctions.py": HELPERS, "code/trainDiscriminator.py": TRAIN}
    assert _lint(tmp_path, files, "code/trainDiscriminator.py") == [18]


def test_without_the_line_nothing_is_known(tmp_path):
    files = {"lib/helperFunctions.py": HELPERS, "code/trainDiscriminator.py": TRAIN.replace("sys.path.append('../lib/')\n", "")}
    assert _lint(tmp_path, files, "code/trainDiscriminator.py") == []


NETS = """\
import torch
import torch.nn as nn
import torch.optim as optim
"""

CHAINED = """\
from nets import *


def create_classifier():
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 1))
"""


def test_a_module_of_the_appended_folder_imports_its_neighbours(tmp_path):
    # lib/helperFunctions.py's own `from nets import *` finds lib/nets.py: lib/ is on sys.path for it too
    files = {"lib/nets.py": NETS, "lib/helperFunctions.py": CHAINED, "code/trainDiscriminator.py": TRAIN}
    assert _lint(tmp_path, files, "code/trainDiscriminator.py") == [18]


BASE = """\
import numpy as np
import torch
import torch.nn as nn
"""

DREAM = """\
from base import *


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 5))

    def forward(self, x):
        return self.fc(x)
"""

COMPARE = """\
import sys
sys.path.append('../lib/')
from dream import *


def compare(inputs):
    ours, reference = Scorer(), Scorer()
    reference.load_state_dict(ours.state_dict())
    ours_top, reference_top = [], []
    for x in inputs:
        ours_top.append(torch.max(ours(x)))
        reference_top.append(torch.max(reference(x)))
    np.testing.assert_almost_equal(ours_top, reference_top, 4)
"""


def test_what_the_appended_folder_star_imports_in_turn_is_read(tmp_path):
    # numpy is named only in lib/base.py, which lib/dream.py star-imports: the text the rules' quick
    # filter reads must reach it (``module_digests.dependencies`` resolves dream.py's own import in lib/)
    files = {"lib/base.py": BASE, "lib/dream.py": DREAM, "testing/compare.py": COMPARE}
    assert _lint(tmp_path, files, "testing/compare.py", code="GRD503") == [13]
