"""Shapes of corpus11 (held-out tutorials, course code and small research repositories) that the
analysis missed or misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

from snippets import case_maker, findings

import pytest

case505 = case_maker("GRD505")

# A seq2seq model fills a pre-allocated buffer step by step with the first output of a decoder
# returning a tuple (`outputs[t] = output`) and returns the buffer. Whether the decoder's output part
# carries a graph is not known in the forward's own walk: the buffer must not stay "holds no graph"
# (which read as "this forward builds no graph", silencing GRD505 at the evaluation loop's call).
SEQ2SEQ_BUFFER = """\
import torch
from torch import nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x), x


class Seq2Seq(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, src, steps):
        outputs = torch.zeros(steps, src.size(0), 4)
        for t in range(steps):
            output, hidden = self.decoder(src)
            outputs[t] = {fill}
        return outputs


def evaluate(model, batches):
    model.eval()
    total = 0.0
    {guard}for src in batches:
    {guard_indent}    out = model(src, 3){mark}
    {guard_indent}    total += out.sum().item()
    return total


def main():
    model = Seq2Seq(Decoder())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = [torch.randn(2, 4) for _ in range(3)]
    for epoch in range(2):
        model.train()
        for src in batches:
            optimizer.zero_grad()
            model(src, 3).sum().backward()
            optimizer.step()
        evaluate(model, batches)


main()
"""


def _seq2seq(fill="output", guarded=False, mark=""):
    guard = "with torch.no_grad():\n        " if guarded else ""
    indent = "    " if guarded else ""
    return SEQ2SEQ_BUFFER.format(fill=fill, guard=guard, guard_indent=indent, mark=mark)


@pytest.mark.parametrize(
    "src,lines",
    [case505("seq2seq-buffer-filled-with-decoder-output-part", _seq2seq(mark="  # expect: GRD505"), lines=(31,))],
)
def test_grd505_buffer_filled_in_forward(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(_seq2seq(fill="output.detach()"), id="buffer-filled-with-detached-values"),
        pytest.param(_seq2seq(fill="output.argmax(-1).float()"), id="buffer-filled-with-indices"),
        pytest.param(_seq2seq(guarded=True), id="evaluation-under-no-grad"),
    ],
)
def test_grd505_buffer_filled_in_forward_silent(src):
    assert findings(src, "GRD505") == []
