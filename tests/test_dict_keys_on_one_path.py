"""A dict key set on one path only (``if labels is not None: out["loss"] = ...``): a subscript
read ``out["loss"]`` raises ``KeyError`` on the other path, so where it returns it reads the value
that path set (a model returning a dict of outputs, mrdbourke/pytorch-deep-learning#583's shape).
``.get()`` and iteration do not count on the key.
"""

from snippets import findings

_MODEL = """\
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(16, 4)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x, labels=None):
        logits = self.body(x)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def run(loader):
    model = Classifier()
    model.eval()
    total = 0.0
    for x, y in loader:
        outputs = model(x, labels=y)
"""


def _lines(tail: str, code: str):
    return [line for line, _ in findings(_MODEL + tail, code)]


def test_key_read_after_the_branch_that_set_it_is_the_loss():
    assert _lines("        total += outputs[\"loss\"]\n    return total\n", "GRD502") == [25]


def test_its_number_is_kept_not_the_graph():
    assert _lines("        total += outputs[\"loss\"].item()\n    return total\n", "GRD502") == []


def test_get_does_not_count_on_the_key():
    tail = """\
        loss = outputs.get("loss")
        history = []
        history.append(loss)
    return total
"""
    assert _lines(tail, "GRD502") == []


def test_a_dict_kept_whole_does_not_count_on_the_key():
    tail = """\
        kept = {k: v for k, v in outputs.items() if k != "logits"}
    return kept
"""
    assert _lines(tail, "GRD502") == []
