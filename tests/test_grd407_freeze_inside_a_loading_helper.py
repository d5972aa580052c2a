"""GRD407 for a freeze buried in a helper that does more than freeze (``load_finetune(net, path)`` loads
the fine-tuning weights, then sets ``requires_grad = False`` on every parameter), called under
``if finetune is not None:`` where ``finetune`` is a parameter whose default is a string literal.

Two facts were missing: a string literal default is a value that is never None (so the arm runs in the
call that keeps the default), and a freeze replayed at the call of a helper of this file that does
more than change the flags is reported at the helper's own ``p.requires_grad = False``, the line a
reader would fix; a helper that only freezes (``freeze_all(net)``) is still reported at its call
(``test_grd407_helper_freeze_under_a_known_arm``)."""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_finetune(net, path):
    state = torch.load(path)
    net.load_state_dict(state, strict=False)
    for param in net.parameters():
        param.requires_grad = False{mark}


def train(net, loader, optimizer):
    for x, y in loader:
        loss = F.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main(finetune={default}):
    net = nn.Linear(4, 3)
    if {test}:
        torch.save(net.state_dict(), finetune)
        load_finetune(net, finetune)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    train(net, [(torch.randn(2, 4), torch.tensor([0, 1]))], optimizer)


main({argument})
"""


def program(default='"ep049.pth"', test="finetune is not None", argument="", mark=""):
    return _PROGRAM.format(default=default, test=test, argument=argument, mark=mark)


POSITIVES = [
    case("string-default-is-not-none", program(mark="  # expect: GRD407"), [10]),
    case("string-argument-is-not-none", program(default="None", argument='"w.pth"', mark="  # expect: GRD407"), [10]),
    case("equal-none-negated", program(test="not finetune == None", mark="  # expect: GRD407"), [10]),
]

NEGATIVES = [
    case("default-none", program(default="None")),
    case("none-argument", program(argument="None")),
    case("is-none-arm-skipped", program(test="finetune is None")),
    case("unknown-argument", program(argument="sys.argv[1]")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
