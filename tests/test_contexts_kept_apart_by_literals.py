"""A function called from more places than it is walked for (``MAX_CONTEXTS``) keeps apart, within
that bound, the contexts passing different literals: an evaluation helper whose flag picks the mode
(``if train == False: model.eval()``), called for one model with ``train=True`` and ``train=False``
and for another with ``train=False`` (an educational batch-norm notebook's shape), is walked twice,
with the flag known in each. Joined in one walk, the flag was unknown, no arm was decided, and the
forward after ``model.eval()`` with gradients on went unreported."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_PROGRAM = """
import torch
import torch.nn as nn
import torch.nn.functional as F

loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,))) for _ in range(2)]


def test(model, train):
    if train == True:
        model.train()
    if train == False:
        model.eval()
    total = 0.0
    for x, y in loader:
        output = model(x){mark}
        total += F.cross_entropy(output, y).item()
    return total / len(loader)


net_bn = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
net_plain = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
{calls}
"""

_GRAD_ON = """print(test(net_bn, train=True))
print(test(net_bn, train=False))
print(test(net_plain, train=False))"""

_EVALUATIONS_UNDER_NO_GRAD = """print(test(net_bn, train=True))
with torch.no_grad():
    print(test(net_bn, train=False))
    print(test(net_plain, train=False))"""

_ALL_IN_TRAIN_MODE = """print(test(net_bn, train=True))
print(test(net_plain, train=True))
print(test(net_bn, True))"""

POSITIVES = [
    case("evaluation_flag_kept_apart_from_training_flag", _PROGRAM.format(mark="  # expect: GRD505", calls=_GRAD_ON), lines=(16,)),
]

NEGATIVES = [
    case("evaluation_calls_under_no_grad", _PROGRAM.format(mark="", calls=_EVALUATIONS_UNDER_NO_GRAD)),
    case("every_call_keeps_train_mode", _PROGRAM.format(mark="", calls=_ALL_IN_TRAIN_MODE)),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
