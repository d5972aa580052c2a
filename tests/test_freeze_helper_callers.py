"""GRD401 in a freeze helper of its own file: ``def freeze_encoder(model): model.encoder.requires_grad =
False``, called from the training script with a real model. Linted alone, ``model`` is unknown (and
``model.encoder`` is not used as a module there); the caller in another file passes an nn.Module,
so the helper's file is analysed with its callers' contexts (``callers``: a helper setting
``.requires_grad`` is one whose callers' arguments matter)."""

from gradlint.analysis.project import forget_projects
from snippets import lint_path, write_project

_MAIN = """\
    import torch
    import torch.nn as nn

    from {module} import {helper}


    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(20, 64), nn.ReLU())
            self.head = nn.Linear(64, 3)

        def forward(self, x):
            return self.head(self.encoder(x))


    def main():
        model = {helper}(Classifier())
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(2):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(torch.randn(8, 20)), torch.randint(0, 3, (8,))).backward()
            optimizer.step()
"""

_UTILS = """\
    import torch.nn as nn


    def freeze_encoder(model):
        model.encoder.requires_grad = False
        return model


    def tag_encoder(model):
        model.encoder.requires_grad_(False)
        return model


    def configure(config):
        config.requires_grad = False
        return config
"""


def _lint(tmp_path, helper):
    forget_projects()
    write_project(tmp_path, {"utils.py": _UTILS, "train.py": _MAIN.format(module="utils", helper=helper)})
    return lint_path(tmp_path / "utils.py", {"GRD401"})


def test_module_attribute_set_in_a_helper_of_another_file(tmp_path):
    assert _lint(tmp_path, "freeze_encoder") == [(5, "GRD401")]


def test_requires_grad_underscore_in_the_helper_is_fine(tmp_path):
    assert _lint(tmp_path, "tag_encoder") == []


def test_a_configuration_object_is_no_module(tmp_path):
    """``configure(cfg)`` called with a plain object: its ``requires_grad`` attribute is its own."""
    forget_projects()
    main = """\
        from utils import configure


        class Config:
            pass


        cfg = configure(Config())
    """
    write_project(tmp_path, {"utils.py": _UTILS, "train.py": main})
    assert lint_path(tmp_path / "utils.py", {"GRD401"}) == []
