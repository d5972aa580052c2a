"""A base trainer in one file, a subclass in another overriding a hook the base's step calls between
backward() and step(): ``class FSLTrainer(Trainer)`` whose ``after_backward`` clears the gradients.
The subclass's file is a caller of the base's file (it subclasses one of its classes), and the context
its call of ``train_step`` gives keeps the subclass instance as receiver, so the base's walk runs the
overriding hook (``callers``; ``Calls._harvest_context``). GRD508 is reported at the hook's call, as
for a clearing helper of the class's own."""

from gradlint.analysis.project import forget_projects
from snippets import lint_path, write_project

_BASE = """\
    import torch
    import torch.nn as nn


    class Trainer:
        def __init__(self, model, lr=1e-3):
            self.model = model
            self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)

        def after_backward(self):
            pass

        def after_step(self):
            pass

        def train_step(self, x, y):
            loss = nn.functional.cross_entropy(self.model(x), y)
            loss.backward()
            self.after_backward()
            self.optimizer.step()
            self.after_step()
            self.optimizer.zero_grad()
            return loss.item()
"""

_SUB = """\
    import torch
    import torch.nn as nn

    from base import Trainer


    class LoggingTrainer(Trainer):
        def __init__(self, model):
            super().__init__(model)
            self.norms = []

        def {hook}(self):
            self.norms.append(sum(p.grad.norm().item() for p in self.model.parameters() if p.grad is not None))
            {clear}


    def main():
        trainer = LoggingTrainer(nn.Linear(16, 5))
        for _ in range(3):
            trainer.train_step(torch.randn(8, 16), torch.randint(0, 5, (8,)))
"""


def _lint(tmp_path, hook, clear):
    forget_projects()
    write_project(tmp_path, {"base.py": _BASE, "sub.py": _SUB.format(hook=hook, clear=clear)})
    return lint_path(tmp_path / "base.py", {"GRD508"})


def test_a_subclass_hook_clearing_between_backward_and_step(tmp_path):
    assert _lint(tmp_path, "after_backward", "self.optimizer.zero_grad()") == [(19, "GRD508")]


def test_a_subclass_hook_that_only_reads_the_gradients(tmp_path):
    assert _lint(tmp_path, "after_backward", "pass") == []


def test_a_subclass_hook_clearing_after_the_step(tmp_path):
    assert _lint(tmp_path, "after_step", "self.optimizer.zero_grad()") == []


_FIT = """\
    import torch
    import torch.nn as nn


    class BaseTrainer:
        def __init__(self, model, optimizer):
            self.model = model
            self.optimizer = optimizer

        def on_epoch_end(self, epoch):
            pass

        def fit(self, batches, epochs):
            self.model.train()
            for epoch in range(epochs):
                for x, y in batches:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()
                self.on_epoch_end(epoch)
"""

_VALIDATING = """\
    import torch
    import torch.nn as nn

    from base import BaseTrainer


    class ValidatingTrainer(BaseTrainer):
        def on_epoch_end(self, epoch):
            self.model.eval()
            with torch.no_grad():
                print(epoch, self.model(torch.randn(2, 16)).sum().item())
            {restore}


    def main():
        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 5))
        trainer = ValidatingTrainer(model, torch.optim.SGD(model.parameters(), lr=0.01))
        trainer.fit([(torch.randn(8, 16), torch.randint(0, 5, (8,)))], 3)
"""


def _lint_fit(tmp_path, restore):
    forget_projects()
    write_project(tmp_path, {"base.py": _FIT, "sub.py": _VALIDATING.format(restore=restore)})
    return lint_path(tmp_path / "base.py", {"GRD510"}), lint_path(tmp_path / "sub.py", {"GRD510"})


def test_a_subclass_validation_hook_leaves_eval_mode(tmp_path):
    """GRD510, reported at the line of the linted file that runs the other file's hook."""
    assert _lint_fit(tmp_path, "pass") == ([(20, "GRD510")], [])


def test_a_subclass_validation_hook_that_restores_train_mode(tmp_path):
    assert _lint_fit(tmp_path, "self.model.train()") == ([], [])
