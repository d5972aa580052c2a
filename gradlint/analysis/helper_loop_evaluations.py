"""Evaluation forwards that run in the own loop of a helper the evaluation loop calls.

``run_epoch(valid_pairs, False)`` switches ``self.decoder.train(training)`` and loops
``loss, words = self.run_pair(src, tgt)``, whose body loops over the decoding steps
(``for t in range(max_len): logits, h = self.decoder(token, h)``): the forwards sit in the helper's
own loops, which the walk of the calling loop keeps apart (``LoopRecord.inner_forwards``, in the
caller's names, placed at the call). The helper's own walk judges them when every call of it agrees
on the model's mode; one called for training too (the same ``run_pair`` under ``run_epoch(train_pairs,
True)``) has its contexts joined, the mode unknown there: only the calling loop knows that the model
is in eval mode, so the finding is reported at the call, unless the helper's walk reported one of its
own forwards (the same evaluation, once).

Only helpers of this file are judged (their walk's findings are known here); a helper whose loop
backpropagates (an attack's gradient steps) needs grad mode, and the caller's loop itself must not
backpropagate or step (asked by the rule as for its own forwards).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Tuple

import libcst as cst

from .leading_clips import called_helper
from .syntax import module_nodes, walk


def helper_loop_forwards(record, ctx, mode_of: Callable) -> List[Tuple[cst.Call, str]]:
    """(call, model path) for each call in the loop of a helper of this file whose own loops ran, with
    gradients, a model with trainable parameters that is in eval mode here (``mode_of`` reads the mode of
    the forward's module, or of the nearest enclosing module this scope knows)."""
    backpropagating = {id(call) for call, _ in record.inner_backwards}
    found, seen = [], set()
    for call, path, module, mode in record.inner_forwards:
        if id(call) in seen or id(call) in backpropagating or mode is not True or not path:
            continue
        if module is None or module.kind != "module" or module.params is not True:
            continue
        training, switched = mode_of(path, module, ctx)
        if training is not False or type(call) is not cst.Call:
            continue
        seen.add(id(call))
        if called_helper(call, ctx) is not None:
            found.append((call, switched))  # (`self.encoder`, switched whole, for its `self.encoder.embed`)
    return found


class HeldHelperFindings:
    """GRD505's findings at calls of helpers, held until the file's end: each is reported unless the
    rule reported a forward inside the helper (or inside a function of the file it calls by name)."""

    def __init__(self):
        #: id(call) -> the helper's definition
        self._helpers: Dict[int, cst.FunctionDef] = {}
        self._held: list = []
        self._reported: set = set()
        #: ids of the calls judged for a forward of their own (not held)
        self._direct: set = set()

    def note(self, helpers: list, direct: list, ctx) -> None:
        """The calls judged for their helper's loops (``helpers``); a call also judged for a forward the
        helper runs outside its loops (``direct``, in this walk or another context's) is reported as such."""
        for call, _ in helpers:
            if id(call) not in self._direct:
                self._helpers[id(call)] = called_helper(call, ctx)
        for call, _ in direct:
            self._direct.add(id(call))
            self._helpers.pop(id(call), None)

    def helper_of(self, call):
        return self._helpers.get(id(call))

    def holds(self, node, ctx, message: str) -> bool:
        """Whether the finding at ``node`` is held (a helper's call); otherwise it is noted as reported."""
        if not ctx.reporting:
            return False
        helper = self._helpers.get(id(node))
        if helper is None:
            self._reported.add(id(node))
            return False
        self._held.append((node, helper, message))
        return True

    def released(self, ctx) -> list:
        """(call, message) of the held findings whose helper's walk reported nothing of its own, nor
        holds a finding at a call of a helper of its own (``run_epoch(valid, False)`` in the epoch loop,
        whose loop's ``self.run_pair(src, tgt)`` is held: the innermost call is the evaluation's)."""
        shown = self._reported | {id(call) for call, _, _ in self._held}
        found, seen = [], set()
        for call, helper, message in self._held:
            if id(call) in seen or id(call) in self._direct:
                continue
            seen.add(id(call))
            if not any(id(node) in shown and node is not call for node in _reached_nodes(helper, ctx.module_node)):
                found.append((call, message))
        return found


def _reached_nodes(helper: cst.FunctionDef, module: cst.Module):
    """The nodes of ``helper`` and of the functions of the module named as its callees (by name or by
    attribute: ``self.step(x)``; any function of that name, a wider set than the real callee)."""
    by_name: Dict[str, list] = {}
    for function in module_nodes(module).of(cst.FunctionDef):
        by_name.setdefault(function.name.value, []).append(function)
    reached, frontier = [helper], [helper]
    while frontier:
        called = []
        for root in frontier:
            for node in walk(root):
                if type(node) is not cst.Call:
                    continue
                func = node.func
                name = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else None
                for other in by_name.get(name, ()):
                    if all(other is not known for known in reached):
                        reached.append(other)
                        called.append(other)
        frontier = called
    for function in reached:
        yield from walk(function)
