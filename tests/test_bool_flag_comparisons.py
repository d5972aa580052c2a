"""A flag parameter bound to a literal bool and compared with ``True``/``False`` decides its arm,
as ``if not train:`` does.

A course's batch-norm lesson evaluates with ``score(model, train=False)`` whose body picks the mode
with ``if train == True: model.train()`` / ``if train == False: model.eval()`` and then runs the
test set with gradients on: every forward records a graph (GRD505, found in the deep-learning-v2
batch-norm notebook). Called with ``train=True`` only, the model never leaves training mode and
the loop is not an evaluation.
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def score(model, batches, train):
    if TRAIN_TEST:
        model.train()
    if EVAL_TEST:
        model.eval()
    total = 0.0
    for data, target in batches:
        output = model(data)
        total += F.cross_entropy(output, target).item()
    return total / len(batches)


net = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
batches = [(torch.randn(8, 6), torch.randint(0, 3, (8,))) for _ in range(4)]
print(score(net, batches, train=FLAG))
"""


def _program(train_test: str, eval_test: str, flag: str) -> str:
    return PROGRAM.replace("TRAIN_TEST", train_test).replace("EVAL_TEST", eval_test).replace("FLAG", flag)


@pytest.mark.parametrize(
    "train_test, eval_test",
    [
        ("train == True", "train == False"),
        ("train is True", "train is False"),
        ("True == train", "False == train"),
        ("train != False", "train != True"),
        ("train", "not train == True"),
    ],
)
def test_the_evaluation_arm_a_literal_false_takes_is_walked(train_test, eval_test):
    assert [line for line, _ in findings(_program(train_test, eval_test, "False"), "GRD505")] == [13]


@pytest.mark.parametrize("train_test, eval_test", [("train == True", "train == False"), ("train is True", "train is False")])
def test_a_literal_true_never_switches_to_evaluation(train_test, eval_test):
    assert findings(_program(train_test, eval_test, "True"), "GRD505") == []
