"""Shapes of corpus19 (held-out training code: course homework, tutorial follow-alongs, RL agents,
PINNs, GANs, seq2seq) and of their near neighbours, that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings
from test_project import lint as _lint, write as _write

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


# ---- GRD503: `.numpy()` raises only while gradients are enabled (torch checks the grad mode, not
# only requires_grad). Under `torch.no_grad()` / `inference_mode()` a leaf that requires grad
# converts: the PINN scripts plot `t_f` (made to require grad for autograd.grad) in a no_grad block.

case503 = case_maker("GRD503")

LEAF_PLOTTED_UNDER_NO_GRAD = """\
import numpy as np
import torch
import torch.nn as nn
import matplotlib.pyplot as plt

net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
t_f = torch.linspace(0, 1, 50).unsqueeze(1)
t_f.requires_grad = True
u = net(t_f)
du = torch.autograd.grad(u.sum(), t_f, create_graph=True)[0]
(du - u).pow(2).mean().backward()
with torch.no_grad():
    pred = net(t_f)
    plt.plot(t_f, pred)
    grid = np.asarray(t_f)
    values = t_f.numpy()
"""

LEAF_CONVERTED_IN_NO_GRAD_FUNCTION = """\
import torch


@torch.no_grad()
def snapshot(w):
    return w.numpy()


@torch.inference_mode()
def snapshot_bias(b):
    return b.numpy()


w = torch.randn(3, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
print(snapshot(w), snapshot_bias(b))
"""

LEAF_PLOTTED_WITH_GRAD = """\
import numpy as np
import torch
import matplotlib.pyplot as plt

t_f = torch.linspace(0, 1, 50).unsqueeze(1)
t_f.requires_grad = True
plt.plot(t_f, t_f.detach() ** 2)  # expect: GRD503
grid = np.asarray(t_f)  # expect: GRD503
values = t_f.numpy()  # expect: GRD503
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case503("leaf_plotted_under_no_grad", LEAF_PLOTTED_UNDER_NO_GRAD),
        case503("leaf_converted_in_no_grad_function", LEAF_CONVERTED_IN_NO_GRAD_FUNCTION),
        case503("leaf_plotted_with_grad", LEAF_PLOTTED_WITH_GRAD, (7, 8, 9)),
    ],
)
def test_grd503_conversion_under_no_grad(src, lines):
    assert findings(src, "GRD503") == [(line, "GRD503") for line in lines]


# ---- GRD507: a script exported from a notebook (`# %%` cells of jupytext, VS Code and Kaggle's
# export; `# In[3]:` of nbconvert) keeps each cell's last expression, which the notebook displayed
# (`a.unsqueeze(0)` ending a cell shows the new tensor): nothing was thrown away, as in the .ipynb.

PERCENT_CELLS = """\
# %% [code]
import torch

# %% [code]
a = torch.randn(2, 3)
a.unsqueeze(0)

# %% [code]
b = a * 2
b.squeeze(0)
print(b)
"""

NBCONVERT_CELLS = """\
#!/usr/bin/env python
# coding: utf-8

# In[1]:


import torch


# In[2]:


x = torch.ones(3)
x.float()
"""

PLAIN_SCRIPT = """\
import torch

a = torch.randn(2, 3)
a.unsqueeze(0)
"""


def test_grd507_last_expression_of_an_exported_cell(tmp_path):
    _write(tmp_path, {"percent.py": PERCENT_CELLS, "nbconvert.py": NBCONVERT_CELLS, "plain.py": PLAIN_SCRIPT})
    # the displayed last expression is silent; the same statement inside its cell is not
    assert [f for f in _lint(tmp_path / "percent.py") if f[1] == "GRD507"] == [(10, "GRD507")]
    assert [f for f in _lint(tmp_path / "nbconvert.py") if f[1] == "GRD507"] == []
    assert [f for f in _lint(tmp_path / "plain.py") if f[1] == "GRD507"] == [(4, "GRD507")]
