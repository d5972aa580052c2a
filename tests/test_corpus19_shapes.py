"""Shapes of corpus19 (held-out training code: course homework, tutorial follow-alongs, RL agents,
PINNs, GANs, seq2seq) and of their near neighbours, that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case205 = case_maker("GRD205")

# ---- GRD205: a recurrent model run over the characters of a word in an inner loop rebinds its
# output on every character (`for letter in word: out, h = rnn(letter, h)`); the loss taken after
# that loop is built from this iteration's forward, made after the previous step(). Only a loop
# running zero times would keep last iteration's output, stale after its step(): a may-fact, not an
# established one (the char-RNN classification tutorial's training loop).

CHAR_RNN = """\
import torch
import torch.nn as nn


class Cell(nn.Module):
    def __init__(self):
        super().__init__()
        self.i2h = nn.Linear(8, 4)
        self.i2o = nn.Linear(8, 3)

    def forward(self, x, h):
        both = torch.cat((x, h), 1)
        return self.i2o(both), self.i2h(both)


cell = Cell()
crit = nn.CrossEntropyLoss()
opt = torch.optim.SGD(cell.parameters(), lr=0.1)
for step in range(10):
    word = [torch.randn(1, 4) for _ in range(3)]
    h = torch.zeros(1, 4)
    for letter in word:
        out, h = cell(letter, h)
    loss = crit(out, torch.tensor([1]))
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

CHAR_RNN_WHILE = """\
import torch
import torch.nn as nn

rnn = nn.RNNCell(4, 4)
head = nn.Linear(4, 2)
params = list(rnn.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params)
for step in range(10):
    seq = torch.randn(5, 1, 4)
    h = torch.zeros(1, 4)
    t = 0
    while t < seq.size(0):
        h = rnn(seq[t], h)
        t += 1
    loss = head(h).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

# still reported: the inner loop does not rebind the graph the step made stale
STALE_NOT_REBOUND_BY_INNER_LOOP = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(2, 4)
for step in range(10):
    opt.zero_grad()
    outs = model(x)
    outs.sum().backward(retain_graph=True)
    opt.step()
    for t in range(3):
        scale = t * 2.0
    (outs * scale).pow(2).sum().backward()  # expect: GRD205
"""

@pytest.mark.parametrize(
    "src,lines",
    [
        case205("char_rnn_for", CHAR_RNN),
        case205("char_rnn_while", CHAR_RNN_WHILE),
        case205("stale_not_rebound", STALE_NOT_REBOUND_BY_INNER_LOOP, (14,)),
    ],
)
def test_grd205_output_rebound_by_an_inner_loop(src, lines):
    assert findings(src, "GRD205") == [(line, "GRD205") for line in lines]
