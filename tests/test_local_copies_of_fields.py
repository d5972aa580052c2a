"""A method's local copy of a model field (``model = self.model``) is that field.

Trainer classes of the transformers style read the model into a local in ``train()`` and again
in ``evaluate()`` (maybe wrapping it: ``model = DataParallel(model)``), build the optimizer from
a library the analysis does not resolve (``transformers.AdamW``) and forward ``**kwargs`` from
one method to the next. The eval-mode switch of ``evaluate()``'s local is a switch of the
caller's ``self.model``, and a ``zero_grad()`` through the local clears what an optimizer over
the field steps.
"""

from snippets import findings

TRAINER = """\
import torch
from transformers import AdamW, BertForTokenClassification


class NERModel:
    def __init__(self, name, n_gpu=1):
        self.model = BertForTokenClassification.from_pretrained(name)
        self.n_gpu = n_gpu

    def train(self, loader, eval_data, **kwargs):
        model = self.model
        groups = [{"params": [p for n, p in model.named_parameters() if "bias" not in n]}]
        optimizer = AdamW(groups, lr=1e-5)
        if self.n_gpu > 1:
            model = torch.nn.DataParallel(model)
        for epoch in range(3):
            model.train()
            for step, batch in enumerate(loader):
                loss = model(**batch)[0]
                loss.backward()
                optimizer.step()
                model.zero_grad()
                if step % 100 == 0:
                    results = self.eval_model(eval_data, verbose=False, **kwargs)AFTER_EVAL

    def eval_model(self, eval_data, output_dir=None, verbose=True, **kwargs):
        return self.evaluate(eval_data, output_dir, verbose=verbose, **kwargs)

    def evaluate(self, eval_data, output_dir, verbose=True, **kwargs):
        model = self.EVALUATED
        model.eval()
        if self.n_gpu > 1:
            model = WRAPPER(model)
        for batch in eval_data:
            with torch.no_grad():
                outputs = model(**batch)
        return outputs
"""


def trainer(after_eval="", evaluated="model", wrapper="torch.nn.DataParallel"):
    return TRAINER.replace("AFTER_EVAL", after_eval).replace("EVALUATED", evaluated).replace("WRAPPER", wrapper)


def test_evaluation_through_local_copies_leaves_the_trained_field_in_eval_mode():
    # reported at `model.eval()` in `evaluate()`, reached through `eval_model()` from the training loop
    assert findings(trainer(), "GRD510") == [(31, "GRD510")]


def test_train_after_the_evaluation_restores_the_mode():
    assert findings(trainer(after_eval="\n                    model.train()"), "GRD510") == []


def test_the_field_itself_switched_back_restores_the_mode():
    assert findings(trainer(after_eval="\n                    self.model.train()"), "GRD510") == []


def test_evaluating_another_field_leaves_the_trained_model_alone():
    source = trainer(evaluated="teacher").replace(
        "        self.n_gpu = n_gpu\n", "        self.n_gpu = n_gpu\n        self.teacher = BertForTokenClassification.from_pretrained(name)\n"
    )
    assert findings(source, "GRD510") == []


def test_a_local_rebound_by_an_unknown_call_is_not_the_field():
    # `model = prepare(model)` may return anything: the local is no longer known to be self.model
    source = trainer(wrapper="prepare").replace("from transformers import", "from helpers import prepare\nfrom transformers import")
    assert findings(source, "GRD510") == []


EPOCH_END_EVALUATION = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, loader, val_loader):
        self.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.loader, self.val_loader = loader, val_loader

    def train(self):
        model = self.model
        for epoch in range(3):
            model.train()
            for x, y in self.loader:
                loss = nn.functional.cross_entropy(model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            self.validate()

    def validate(self):
        model = self.model
        model.eval()
        with torch.no_grad():
            return [model(x) for x, _ in self.val_loader]
"""


def test_evaluation_at_the_end_of_each_epoch_after_train_at_its_start_is_fine():
    assert findings(EPOCH_END_EVALUATION, "GRD510") == []


def test_evaluation_inside_the_batch_loop_through_a_plain_local_copy():
    source = EPOCH_END_EVALUATION.replace(
        "                self.optimizer.step()\n            self.validate()",
        "                self.optimizer.step()\n                self.validate()",
    )
    # reported at `model.eval()` in `validate()`
    assert findings(source, "GRD510") == [(24, "GRD510")]


CLEARED_THROUGH_THE_COPY = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, loader):
        self.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.head = nn.Linear(2, 2)
        self.loader = loader

    def train(self):
        model = self.model
        for epoch in range(3):
            for x, y in self.loader:
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                self.opt.step()
                model.zero_grad(){more}
"""


def test_zero_grad_through_the_local_copy_clears_the_optimizer_over_the_field():
    assert findings(CLEARED_THROUGH_THE_COPY.format(more=""), "GRD501") == []


def test_a_copy_of_another_field_does_not_clear_it():
    source = CLEARED_THROUGH_THE_COPY.format(more="").replace("model.zero_grad()", "head.zero_grad()").replace(
        "        model = self.model\n", "        model = self.model\n        head = self.head\n"
    )
    assert findings(source, "GRD501") == [(19, "GRD501")]


UNRESOLVED_OPTIMIZER = """\
import torch.nn as nn
from transformers import AdamW


def train(model, loader):
    optimizer = AdamW(model.parameters(), lr=1e-3)
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step(){clear}
"""


def test_a_local_stepped_like_an_optimizer_after_backward_is_one():
    assert findings(UNRESOLVED_OPTIMIZER.format(clear=""), "GRD501") == [(10, "GRD501")]


def test_a_local_optimizer_of_an_unresolved_class_cleared_each_step():
    assert findings(UNRESOLVED_OPTIMIZER.format(clear="\n        optimizer.zero_grad()"), "GRD501") == []


def test_a_scheduler_stepped_after_backward_is_not_an_optimizer():
    source = UNRESOLVED_OPTIMIZER.format(clear="\n        model.zero_grad()\n        scheduler.step()").replace(
        "    optimizer = AdamW(model.parameters(), lr=1e-3)\n",
        "    optimizer = AdamW(model.parameters(), lr=1e-3)\n    scheduler = get_linear_schedule_with_warmup(optimizer, 10, 100)\n",
    )
    assert findings(source, "GRD501") == []
