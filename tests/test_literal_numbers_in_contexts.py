"""Literal numbers passed as arguments make calling contexts of their own only where the callee
compares that parameter with a number (``number_tests``): a greedy decoder called after
``model.eval()`` with ``max_len`` 64 in one call and 72 in the next would otherwise count as more
contexts than the analysis keeps apart (``calls.MAX_CONTEXTS``), be joined into one that no longer
knows the model is in eval mode, and lose the GRD505 on its forward (the Annotated Transformer's
``greedy_decode``, reported before literal numbers carried their values, lost by b7e574d)."""

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def greedy_decode(model, src, max_len, start_symbol):
    ys = torch.full((1, 1), start_symbol, dtype=torch.long)
    for i in range(max_len - 1):
        prob = model(src[:, : i + 1])
        next_word = prob[:, -1].argmax(-1)
        ys = torch.cat([ys, next_word.view(1, 1)], dim=1)
    return ys


def check_outputs(model, batches):
    for src in batches:
        greedy_decode(model, src, 64, 0)
        print(greedy_decode(model, src, 72, 0))


def example(model, src):
    model.eval()
    max_len = src.shape[1]
    print(greedy_decode(model, src, max_len=max_len, start_symbol=0))


model = nn.Sequential(nn.Embedding(20, 8), nn.Dropout(0.1), nn.Linear(8, 20))
check_outputs(model, [torch.randint(0, 20, (1, 80))])
"""


def test_calls_differing_only_by_literal_numbers_keep_the_eval_mode_known():
    assert findings(PROGRAM, "GRD505") == [(8, "GRD505")]
