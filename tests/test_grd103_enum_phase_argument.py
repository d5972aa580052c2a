"""GRD103 and a loop helper told its phase by an ``enum.Enum`` member: ``run(Phase.TRAIN)``, then
``with torch.no_grad(): run(Phase.VAL)``, the helper backpropagating only under
``if phase == Phase.TRAIN:`` (corpus35 hou27 GAT ``main_loop(phase=LoopPhase.VAL)``). With a string
(``run("val")``) the call's literal already decided the test; a member of an enum class of the file
with its own literal value decides it the same way: ``Phase.VAL == Phase.TRAIN`` is false, so the
validation call under no_grad never reaches the backward(). A helper that backpropagates in every
phase still reports."""

from snippets import case_maker, rule_tests

CODE = "GRD103"
case = case_maker(CODE)

_HELPER = """\
import enum

import torch
import torch.nn as nn


class Phase(enum.Enum):
    TRAIN = 0
    VAL = 1


def fit(features, labels, epochs):
    net = nn.Linear(4, 2)
    opt = torch.optim.Adam(net.parameters())

    def run(phase):
        if phase == Phase.TRAIN:
            net.train()
        else:
            net.eval()
        loss = nn.functional.cross_entropy(net(features), labels)
        if GUARD:
            opt.zero_grad()
            loss.backward()MARK
            opt.step()
        return loss.item()

    for epoch in range(epochs):
        run(Phase.TRAIN)
        with torch.no_grad():
            run(Phase.VAL)
"""

POSITIVES = [
    case(
        "backward-in-every-phase",
        _HELPER.replace("GUARD", "phase in (Phase.TRAIN, Phase.VAL)").replace("MARK", "  # expect: GRD103"),
        [24],
    ),
]

NEGATIVES = [
    case("backward-only-in-the-training-phase", _HELPER.replace("GUARD", "phase == Phase.TRAIN").replace("MARK", "")),
    case("negated-test", _HELPER.replace("GUARD", "phase != Phase.VAL").replace("MARK", "")),
    case(
        "integer-enum",
        _HELPER.replace("GUARD", "phase is Phase.TRAIN").replace("MARK", "").replace("enum.Enum", "enum.IntEnum"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
