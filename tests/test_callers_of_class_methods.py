"""A file whose class converts to NumPy in a static or class method (``SO2.from_matrix`` validating
the matrix with ``.numpy()``) gets its contexts from the files that call the method on the class
(``SO2.from_matrix(rotation_pred)`` in a training script): such a file is one of its callers
(callers._call_test accepts ``Name.attr(`` as well as ``Name(``). Before, only a call of the class
itself or a subclass made a file a caller, so the method's parameters stayed unknown when its file was
linted (utiasSTARS/liegroups #4, corpus_threads16 p40)."""

from snippets import lint_path, write_project

SO2 = """\
import numpy as np
import torch


class SO2:
    def __init__(self, mat):
        self.mat = mat

    @classmethod
    def is_valid_matrix(cls, mat):
        det = np.linalg.det(mat.cpu().numpy())
        return bool(np.all(np.abs(det - 1.0) < 1e-4))

    @classmethod
    def from_matrix(cls, mat, normalize=False):
        if not cls.is_valid_matrix(mat) and not normalize:
            raise ValueError("not a rotation")
        return cls(mat)
"""

TRAIN = """\
import torch
import torch.nn as nn

from so2 import SO2


def rotation_loss(net, feats, angles):
    theta = net(feats).squeeze(-1)
    c, s = torch.cos(theta), torch.sin(theta)
    rotation = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)
    r = SO2.from_matrix({rotation}, normalize=True)
    return ((torch.atan2(r.mat[:, 1, 0], r.mat[:, 0, 0]) - angles) ** 2).mean()


def main():
    net = nn.Linear(8, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(3):
        opt.zero_grad()
        rotation_loss(net, torch.randn(4, 8), torch.rand(4)).backward()
        opt.step()


if __name__ == "__main__":
    main()
"""


def _lint(tmp_path, rotation):
    write_project(tmp_path, {"so2.py": SO2, "train.py": TRAIN.format(rotation=rotation)})
    return lint_path(tmp_path / "so2.py", select={"GRD503"})


def test_a_class_method_called_on_the_class_gets_the_callers_grad_tensor(tmp_path):
    assert _lint(tmp_path, "rotation") == [(11, "GRD503")]


def test_a_detached_argument_is_silent(tmp_path):
    assert _lint(tmp_path, "rotation.detach()") == []
