"""A list of tensors whose ``requires_grad`` is unknown is not a list of plain tensors.

A decoder run step by step inside a model's forward (``logits, hidden = self.step(tok, hidden)``,
appended to ``outputs``, then ``torch.stack(outputs, 1)``) is walked from a caller's caller: past
the call-depth limit the step's forward is not walked, and the parts of its output are tensors of
unknown grad. Stacking them gave a tensor known *not* to require grad, so the model's forward was
taken to build no graph and an evaluation loop running it after ``model.eval()`` without
``torch.no_grad()`` was not reported (a seq2seq trainer's ``run_epoch(model, dev_loader,
optimiser=None)``). Only numbers and tensors shown not to require grad make a list free of graphs.
"""

import pytest

from snippets import lint_path

PROGRAM = """\
import torch
import torch.nn as nn


class Step(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.GRU(8, 8, batch_first=True)
        self.out = nn.Linear(8, 5)

    def forward(self, tok, hidden):
        h, hidden = self.cell(tok, hidden)
        return self.out(h), hidden


class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.step = Step()

    def forward(self, tok, length):
        hidden = None
        outputs = []
        for _ in range(length):
            logits, hidden = self.step(tok, hidden)
            outputs.append({kept})
        return torch.stack(outputs, dim=1)


def score(model, batches):
    model.eval()
    total = 0.0
{body}
    return total


def main(batches):
    model = Seq()
    print(score(model, batches))


if __name__ == "__main__":
    main([])
"""


LOOP = """\
for tok, target in batches:
    pred = model(tok, 4)
    total += (pred - target).abs().mean().item()"""


def _program(kept="logits", guarded=False):
    body = "with torch.no_grad():\n" + "\n".join("    " + line for line in LOOP.splitlines()) if guarded else LOOP
    return PROGRAM.format(kept=kept, body="\n".join("    " + line for line in body.splitlines()))


@pytest.fixture
def reported(tmp_path):
    """The lines GRD505 reports in ``source``, linted as a script of its own project."""

    def lint(source):
        path = tmp_path / "seq_eval.py"
        path.write_text(source)
        return [source.splitlines()[line - 1].strip() for line, _ in lint_path(path, select={"GRD505"})]

    return lint


def test_stacked_parts_of_an_unwalked_step_still_record_a_graph(reported):
    assert reported(_program()) == ["pred = model(tok, 4)"]


def test_an_op_on_the_parts_keeps_them_unknown(reported):
    assert reported(_program(kept="logits * 2")) == ["pred = model(tok, 4)"]


@pytest.mark.parametrize(
    "kept,guarded",
    [
        ("logits", True),  # the evaluation runs under no_grad
        ("logits.detach()", False),  # the forward stacks detached parts: it builds no graph
        ("logits.argmax(-1)", False),  # indices: no graph either
    ],
)
def test_graph_free_or_guarded_evaluations_stay_silent(reported, kept, guarded):
    assert reported(_program(kept=kept, guarded=guarded)) == []
