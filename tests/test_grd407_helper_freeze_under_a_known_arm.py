"""GRD407 for a freeze helper called under a test the walk knows true (``if finetune:`` in
``main(True)``): its freeze of every parameter happens whenever the function runs, as the same loop
written inline there does (``bindings._always``); the replay of the helper's freeze at its call only
counted a call outside any ``if``. Under a test the walk does not know (``if args.finetune:``), or one
it knows false, the freeze is a choice: silent. (Ultra-Fast-Lane-Detection #282's shape, a freeze of
every parameter after loading the fine-tuning weights.)"""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def freeze_all(net):
    for param in net.parameters():
        param.requires_grad = False


def main(finetune):
    net = nn.Linear(4, 3)
    if {test}:
        freeze_all(net){mark}
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
        loss = F.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


main({argument})
"""


def program(test="finetune", argument="True", mark=""):
    return _PROGRAM.format(test=test, argument=argument, mark=mark)


POSITIVES = [
    case("helper-freeze-under-a-true-flag", program(mark="  # expect: GRD407"), [14]),
]

NEGATIVES = [
    case("flag-false", program(argument="False")),
    case("flag-not-known", program(test="finetune.enabled", argument="object()")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
