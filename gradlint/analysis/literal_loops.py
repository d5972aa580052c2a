"""Loops over a display of string literals, walked once per string: ``for phase in ["train", "val"]:``.

The fine-tuning tutorials' epoch: ``for phase in ["train", "val"]:`` switches the model with
``if phase == "train": model.train() else: model.eval()``, runs the batches under
``torch.set_grad_enabled(phase == "train")`` and backpropagates only ``if phase == "train":``.
Walked as one iteration with ``phase`` unknown, every test of ``phase`` joins both sides: the
grad mode is unknown, the backward may not run, and a ``running_loss += loss`` that keeps every
training batch's graph is not established. Python runs the body once per string, in order, with
the name bound to it, and so does the walk; a test of the name against a string literal is
then decided (``branch_tests.string_test``), as for a parameter bound to a literal.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from .syntax import walk
from .usage_scans import binds
from .values import STRING, Value, literal_string

#: longer displays are walked as one iteration: each string costs a walk of the body
MAX_STRINGS = 4


def literal_strings(node: cst.For) -> Optional[Tuple[Value, ...]]:
    """The values of the strings of ``for name in ["a", "b"]:`` / ``("a", "b")``: 2 to ``MAX_STRINGS``
    distinct short string literals (``values.literal_string``), the target a plain name that the body
    never binds; else None."""
    if type(node.target) is not cst.Name or type(node.iter) not in (cst.List, cst.Tuple) or node.asynchronous:
        return None
    elements = node.iter.elements
    if not 2 <= len(elements) <= MAX_STRINGS or any(type(e) is not cst.Element or type(e.value) is not cst.SimpleString for e in elements):
        return None
    strings = tuple(literal_string(e.value) for e in elements)
    if not all(s.qual.startswith(STRING) for s in strings) or len({s.qual for s in strings}) != len(strings):
        return None
    if binds(node.body, node.target.value):
        return None
    return strings


def enclosing_literal_loop(scope: Optional[cst.CSTNode], node: cst.CSTNode) -> Optional[cst.For]:
    """The innermost loop over string literals (as ``literal_strings`` takes them) in ``scope``
    whose body holds ``node``; else None. Asked when a finding is reported, to word its fix."""
    if scope is None:
        return None
    found = None
    for loop in walk(scope):
        if type(loop) is cst.For and literal_strings(loop) is not None and any(part is node for part in walk(loop.body)):
            found = loop  # walked outer first: the last one found is the innermost
    return found
