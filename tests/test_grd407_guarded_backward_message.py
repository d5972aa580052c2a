"""GRD407's message tells what the frozen model's backward does: it raises, unless a ``requires_grad``
test guards it (``if loss.requires_grad: loss.backward()``), which torch 2.13 runs without an error
and without training anything. The finding stands either way; only the claim changes."""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

PROGRAM = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
for p in model.parameters():
    p.requires_grad = False
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(3, 4)]:
    opt.zero_grad()
    loss = model(x).sum()
BACKWARD
    opt.step()
"""


def _messages(backward: str):
    source = PROGRAM.replace("BACKWARD", backward)
    return [(f.line, f.message) for f in lint_text(source, "snippet.py", [BY_CODE["GRD407"]])]


def test_a_guarded_backward_is_said_to_be_skipped_not_to_raise():
    [(line, message)] = _messages("    if loss.requires_grad:\n        loss.backward()")
    assert line == 6
    assert "its `requires_grad` test skips it" in message and "raises" not in message


def test_a_bare_backward_is_said_to_raise():
    [(line, message)] = _messages("    loss.backward()")
    assert line == 6
    assert "raises \"element 0 of tensors does not require grad\"" in message
