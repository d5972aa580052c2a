"""A rule's look-up of an expression the walk did not value (the callee ``self.model(x).argmax``
of a method call on a forward's output) evaluates it again: the forward runs in the mode of the
moment of asking. Asked at an inner loop's end, after its ``with torch.no_grad():`` block, that
forward ran with gradients on and was recorded in the enclosing loop's record: a grad-mode forward
the code never runs (corpus29 wotttoo/ifgsm-adversarial-attacks utils/evaluator.py:171, a GRD505
false alarm, first worked around in GRD505's own look-up). Look-ups made by rules must leave the
walk's records as the walk made them."""

import textwrap

import libcst as cst

from gradlint.analysis.analyzer import Analyzer
from gradlint.rule import Rule
from gradlint.analysis.syntax import walk

SWEEP = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.2))
model.eval()
correct = 0
for steps in [1, 2]:
    for images, labels in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
        with torch.no_grad():
            preds = model(images).argmax(1)
        correct += (preds == labels).sum().item()
"""


class CalleeProbe(Rule):
    """At each loop's end, asks for the value of every callee in it (as GRD505 asked whether one
    is ``torch.autograd.grad``), and keeps the grad modes of the forwards each loop recorded."""

    code = "GRD901"

    def __init__(self):
        self.modes = {}

    def on_loop_end(self, node, ctx, record):
        for call in walk(node):
            if type(call) is cst.Call:
                ctx.value(call.func)
        self.modes[cst.Module([]).code_for_node(node.target)] = [mode for _, _, _, mode in record.forwards]


def _recorded_modes(source: str) -> dict:
    probe = CalleeProbe()
    Analyzer([probe], lambda *args: None).run(cst.parse_module(textwrap.dedent(source)))
    return probe.modes


def test_a_rule_looking_up_a_callee_that_holds_a_forward_records_no_forward():
    modes = _recorded_modes(SWEEP)
    # the sweep's record holds the one forward, under no_grad, as the batch loop's does
    assert modes["images, labels"] == [False]
    assert modes["steps"] == [False]


def test_the_walk_still_records_a_forward_outside_no_grad():
    modes = _recorded_modes(SWEEP.replace("        with torch.no_grad():\n            preds", "        if True:\n            preds"))
    assert modes["steps"] == [True]


def test_every_container_a_loop_record_grows_is_kept():
    from dataclasses import fields

    from gradlint.analysis import kept_records
    from gradlint.analysis.state import LoopRecord

    record = LoopRecord(None, frozenset())
    grown = {f.name for f in fields(LoopRecord) if type(getattr(record, f.name)) in (list, set, dict)}
    assert grown == set(kept_records._LISTS) | set(kept_records._COPIED)
