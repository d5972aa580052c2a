"""A module-level list that a function of the file fills through a helper it calls.

``run()`` hands the global ``train_losses`` to ``fit(model, opt, train_losses)``, and ``fit`` appends
each batch loss to its parameter. The module's own loop calls ``run()`` and then plots the list: the
plot converts tensors that require grad (GRD503). Before, only a function that appended to the
global itself was known to fill it (shape of corpus20 TSAI_EVA Assignment-6, where the helper comes
from another file through a star import).

Our own snippets, each a complete program.
"""

import pytest

from snippets import findings

HEADER = """\
import torch
import torch.nn as nn
import matplotlib.pyplot as plt

model = nn.Linear(4, 1)
batches = [torch.randn(8, 4) for _ in range(3)]


def fit(model, opt, losses):
    for x in batches:
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        losses.append(LOSS)
        loss.backward()
        opt.step()


"""

THROUGH_WRAPPER = HEADER + """\
def run(mode):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    if mode == "sgd":
        fit(model, opt, train_losses)
    else:
        fit(model, opt, losses=train_losses)


for mode in ["sgd", "other"]:
    train_losses = []
    for epoch in range(2):
        run(mode)
    plt.plot(train_losses)
"""

KEYWORD_ONLY = HEADER + """\
def run():
    fit(model, torch.optim.SGD(model.parameters(), lr=0.1), losses=history)


history = []
run()
plt.plot(history)
"""


def _grd503(src: str, loss: str = "loss"):
    return findings(src.replace("LOSS", loss), "GRD503")


@pytest.mark.parametrize("src", [THROUGH_WRAPPER, KEYWORD_ONLY], ids=["positional-and-keyword", "keyword"])
def test_a_list_filled_with_grad_losses_through_a_helper_is_reported_where_it_is_plotted(src):
    lines = [line for line, _ in _grd503(src)]
    assert len(lines) == 1
    assert "plt.plot(" in src.splitlines()[lines[0] - 1]


@pytest.mark.parametrize("loss", ["loss.item()", "loss.detach()", "float(loss)"])
def test_a_helper_keeping_plain_numbers_stays_silent(loss):
    assert _grd503(THROUGH_WRAPPER, loss) == []


def test_a_list_plotted_before_the_filling_call_stays_silent():
    src = THROUGH_WRAPPER.replace("    for epoch in range(2):\n        run(mode)\n    plt.plot(train_losses)\n",
                                  "    plt.plot(train_losses)\n    run(mode)\n")
    assert "plt.plot(train_losses)\n    run(mode)" in src
    assert _grd503(src) == []


def test_a_wrapper_filling_its_own_local_list_leaves_the_global_empty():
    src = THROUGH_WRAPPER.replace('    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n',
                                  '    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n    train_losses = []\n')
    assert _grd503(src) == []


def test_a_helper_that_only_reads_the_list_stays_silent():
    src = THROUGH_WRAPPER.replace("        losses.append(LOSS)\n", "        print(len(losses))\n")
    assert _grd503(src) == []


def test_a_wrapper_running_the_helper_under_no_grad_stays_silent():
    src = THROUGH_WRAPPER.replace("    if mode == \"sgd\":\n", "    with torch.no_grad():\n        pass\n    if mode == \"sgd\":\n")
    src = src.replace("        fit(model, opt, train_losses)\n", "        with torch.no_grad():\n            fit(model, opt, train_losses)\n")
    src = src.replace("        fit(model, opt, losses=train_losses)\n", "        with torch.no_grad():\n            fit(model, opt, losses=train_losses)\n")
    assert _grd503(src) == []
