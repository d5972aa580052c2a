"""GRD505 and an ensemble evaluated member by member: the models of a list switched to eval mode,
then run over the data by an inner loop (``for m in models: preds.append(m(x))``). The forward's
name is bound in the data loop, which the rule took for a model built anew in each iteration (a test
over model classes) and skipped. A loop over the models that exist before the data loop (a list
named, or a display of names) runs the same models in every iteration. Still silent: the same
under no_grad, and a model built from each class a loop iterates and run once."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_ENSEMBLE = """
import torch
import torch.nn as nn

m1 = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.2))
m2 = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.2))
models = [m1, m2]
for m in {switched}:
    m.eval()
loader = [torch.randn(3, 4) for _ in range(3)]
votes = []
for x in loader:
{body}
"""

_OVER_THE_LIST = """    for m in models:
        votes.append(m(x).argmax(1)){mark}"""

_OVER_A_DISPLAY = """    for net in [m1, m2]:
        votes.append(net(x).argmax(1)){mark}"""

_UNDER_NO_GRAD = """    with torch.no_grad():
        for m in models:
            votes.append(m(x).argmax(1))"""

_BUILT_PER_CLASS = """
import torch
import torch.nn as nn


class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))

    def forward(self, x):
        return self.fc(x)


class B(A):
    pass


x = torch.randn(3, 4)
for cls in [A, B]:
    m = cls()
    m.eval()
    print(m(x).shape)
"""

POSITIVES = [
    case("inner_loop_over_the_switched_list", _ENSEMBLE.format(switched="models", body=_OVER_THE_LIST.format(mark="  # expect: GRD505")), lines=(14,)),
    case("inner_loop_over_a_display_of_names", _ENSEMBLE.format(switched="[m1, m2]", body=_OVER_A_DISPLAY.format(mark="  # expect: GRD505")), lines=(14,)),
]

NEGATIVES = [
    case("ensemble_under_no_grad", _ENSEMBLE.format(switched="models", body=_UNDER_NO_GRAD)),
    case("model_built_per_class", _BUILT_PER_CLASS),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
