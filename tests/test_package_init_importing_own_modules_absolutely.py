"""A package's ``__init__.py`` that re-exports its own submodules by the package's name
(``from models.embedder import *`` in ``models/__init__.py``, as common as ``from .embedder import *``)
mentions no torch itself, yet it hands the project's classes to ``from models import Embedder``. It is
read like one importing them relatively: the class is then known (its forward records a graph), and an
evaluation loop after ``model.eval()`` without ``no_grad`` is reported (a t-SNE of embeddings). A torch-free
``__init__`` importing another package's modules still tells nothing."""

from snippets import lint_path, write_project

EMBEDDER = """\
import torch.nn as nn
import torch.nn.functional as F


class Embedder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(32, 64), nn.ReLU())
        self.head = nn.Linear(64, dim)

    def forward(self, x):
        return F.normalize(self.head(self.body(x)))
"""

EMBED = """\
import numpy as np
import torch
from models import Embedder

if __name__ == "__main__":
    model = Embedder(8)
    model.load_state_dict(torch.load("embedder.pth"))
    model.eval()
    features = []
    for batch in torch.randn(10, 4, 32):
        embedding = model(batch)
        features.append(embedding.detach().numpy())
    np.save("features.npy", np.concatenate(features))
"""


def _grd505(tmp_path, init):
    (tmp_path / "models").mkdir()
    write_project(tmp_path, {"models/__init__.py": init, "models/embedder.py": EMBEDDER, "embed.py": EMBED})
    return [line for line, code in lint_path(tmp_path / "embed.py", select={"GRD505"})]


def test_init_importing_its_own_module_by_the_package_name(tmp_path):
    assert _grd505(tmp_path, "from models.embedder import *\n") == [11]


def test_init_importing_its_own_module_relatively(tmp_path):
    assert _grd505(tmp_path, "from .embedder import Embedder\n") == [11]
