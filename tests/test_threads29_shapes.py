"""Shapes from public bug threads (threads helper, session 29, corpus_threads5).

- A trainer that wraps the model it is given, ``self.model = nn.DataParallel(model)``, with an optimizer
  built by its caller over ``net.parameters()``, clears with ``self.model.zero_grad()`` after each step
  (huggingface/transformers #6999's Trainer shape): the clear was not matched to the caller's ``net``
  and GRD501 fired. A field set from the caller is not known to be another module than the caller's,
  so such a clear may be the optimizer's; a local ``dp = nn.DataParallel(model)`` clears ``model``.
"""

import textwrap

from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES


def write(root, files):
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))


def lint(path, select=None):
    rules = [rule for rule in ALL_RULES if (rule.code in select if select else rule.default_enabled())]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


WRAPPING_TRAINER = """\
    import torch
    import torch.nn as nn


    class Trainer:
        def __init__(self, model, optimizer):
            self.model = nn.DataParallel(model)
            self.optimizer = optimizer

        def train(self, loader):
            for inputs, labels in loader:
                loss = nn.functional.cross_entropy(self.model(inputs), labels)
                loss.backward()
                self.optimizer.step()
                {clear}


    net = nn.Linear(5, 3)
    Trainer(net, torch.optim.SGD(net.parameters(), lr=0.1)).train([(torch.randn(4, 5), torch.tensor([0, 1, 2, 0]))])
    """


def test_wrapped_field_clear_covers_the_callers_optimizer(tmp_path):
    write(tmp_path, {"trainer.py": WRAPPING_TRAINER.format(clear="self.model.zero_grad()")})
    assert lint(tmp_path / "trainer.py", {"GRD501"}) == []


def test_trainer_that_clears_nothing_still_reported(tmp_path):
    write(tmp_path, {"trainer.py": WRAPPING_TRAINER.format(clear="pass")})
    assert lint(tmp_path / "trainer.py", {"GRD501"}) == [(14, "GRD501")]


LOCAL_WRAPPER = """\
    import torch
    import torch.nn as nn


    def fit(model, critic, loader):
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        dp = nn.DataParallel({wrapped})
        for inputs, labels in loader:
            loss = nn.functional.cross_entropy(dp(inputs), labels)
            loss.backward()
            opt.step()
            dp.zero_grad()
    """


def test_local_wrapper_clear_covers_the_wrapped_parameter(tmp_path):
    write(tmp_path, {"fit.py": LOCAL_WRAPPER.format(wrapped="model")})
    assert lint(tmp_path / "fit.py", {"GRD501"}) == []


def test_local_wrapper_of_another_module_clears_nothing_of_the_optimizer(tmp_path):
    write(tmp_path, {"fit.py": LOCAL_WRAPPER.format(wrapped="critic")})
    assert lint(tmp_path / "fit.py", {"GRD501"}) == [(11, "GRD501")]
