"""A static or class method called on its class (``SO2.from_matrix(rotation)``), or on ``cls`` inside a
class method (``cls.is_valid_matrix(mat)``), runs with the caller's arguments, as a method called on an
object does: a ``.numpy()`` on the grad tensor it is given is reported (GRD503), and a class method's
``cls`` takes no argument, called on the class or on an object (``arguments.binds_first``).
utiasSTARS/liegroups #4's rotation class validating the predicted rotation with numpy
(corpus_threads16 p40). Before, such calls were not followed: their parameters stayed unknown."""

from snippets import case_maker, rule_tests

CODE = "GRD503"
case = case_maker(CODE)

_ROTATIONS = """\
import numpy as np
import torch
import torch.nn as nn


class SO2:
    def __init__(self, mat):
        self.mat = mat

    @staticmethod
    def det(mat):
        return np.linalg.det(mat{detach}.numpy()){mark}

    @classmethod
    def is_valid_matrix(cls, mat):
        return bool(abs(cls.det(mat) - 1.0).max() < 1e-4)

    @classmethod
    def from_matrix(cls, mat, normalize=False):
        if not cls.is_valid_matrix(mat) and not normalize:
            raise ValueError("not a rotation")
        return cls(mat)


def rotation_loss(net, feats, angles):
    theta = net(feats).squeeze(-1)
    c, s = torch.cos(theta), torch.sin(theta)
    rotation = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)
    {call}
    return ((torch.atan2(r.mat[:, 1, 0], r.mat[:, 0, 0]) - angles) ** 2).mean()


net = nn.Linear(8, 1)
rotation_loss(net, torch.randn(4, 8), torch.rand(4)).backward()
"""

_MARK = "  # expect: GRD503"
_ON_CLASS = "r = SO2.from_matrix(rotation, normalize=True)"
_ON_OBJECT = "r = SO2(rotation).from_matrix(rotation, True)"

POSITIVES = [
    case("called-on-the-class", _ROTATIONS.format(detach="", mark=_MARK, call=_ON_CLASS), [12]),
    case("class-method-called-on-an-object", _ROTATIONS.format(detach="", mark=_MARK, call=_ON_OBJECT), [12]),
]

NEGATIVES = [
    case("detached-first", _ROTATIONS.format(detach=".detach()", mark="", call=_ON_CLASS)),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
