"""Shapes met on the libraries of /work/libs (session 27): each false positive's shape stays
silent, and a true positive of the nearby shape still fires. Our own minimal snippets."""

from snippets import findings

# --- a field set in a helper the constructor calls on one path, then switched and called -------

POST_PROCESSOR = """\
from copy import deepcopy

import torch
from torch import nn


class Calibrator(nn.Module):
    def __init__(self, model=None):
        super().__init__()
        if model is not None:
            self._setup(model)

    def _setup(self, model):
        self.model = deepcopy(model)
        self.model = self.model.eval()

    def fit(self, loader):
        for x, _ in loader:
            {forward}
"""


def test_constructor_set_field_evaluated_over_batches_fires():
    # the constructor's helper made a trainable model in eval mode; `fit()` runs it over every batch
    # in grad mode: a graph per batch for nothing (a field some method switches with `.eval()` and
    # some method calls was taken, at the entry of `__init__` too, for a module of unknown
    # parameters, which erased what the constructor made)
    src = POST_PROCESSOR.format(forward="self.model(x)")
    assert findings(src, "GRD505") == [(19, "GRD505")]


def test_constructor_set_field_evaluated_under_no_grad_is_silent():
    src = POST_PROCESSOR.format(forward="with torch.no_grad():\n                self.model(x)")
    assert findings(src, "GRD505") == []


def test_field_frozen_by_the_constructor_helper_stays_silent():
    src = POST_PROCESSOR.replace(
        "self.model = self.model.eval()", "self.model = self.model.eval()\n        self.model.requires_grad_(False)"
    ).format(forward="self.model(x)")
    assert findings(src, "GRD505") == []
