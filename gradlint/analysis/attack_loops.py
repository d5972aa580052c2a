"""Evaluation forwards beside an object whose forward takes gradients (GRD505).

A robustness evaluation runs an attack in each iteration, then the model on what it made:
``adv = atk(images, labels)`` with ``atk = FGSM(model, eps)``, whose ``forward`` takes
``torch.autograd.grad`` of the loss with respect to the images, then ``outputs = model(adv)`` for the
accuracy. The loop takes gradients, so ``differentiates`` keeps every forward of it silent: no_grad
around the loop would break the attack. But the forward after the attack is not differentiated by
anything: it records a graph for every batch and keeps it for nothing, and the fix is no_grad around
that forward alone.

Kept: the forwards written in the loop's body after every call of a module whose ``forward`` takes the
gradients, when the gradients are taken there only (not in the loop itself, nor in a function of the file
it calls), and not given to such a call.
"""

from __future__ import annotations

from types import SimpleNamespace

import libcst as cst

from .grad_on_purpose import differentiates, forward_bodies, takes_gradients
from .nested_callees import nested_callees
from .source_order import contains, in_source_order


def undifferentiated(loop, ctx, record, candidates) -> tuple:
    """The candidates (``(call, name)`` eval-mode forwards of the loop) nothing differentiates, and the
    ids of those kept only because they run beside an attack (their fix is no_grad around the forward)."""
    if not differentiates(loop, ctx, record):
        return candidates, frozenset()
    deeper = nested_callees(record.local_calls, ctx.module_node, ctx.functions)
    if any(takes_gradients(root, loop, ctx) for root in (loop, *record.local_calls, *deeper)):
        return [], frozenset()
    attacks = [
        call
        for item in record.forwards
        if item[2].cls is not None
        for call in (item[0],)
        if any(takes_gradients(body, loop, ctx) for body in forward_bodies(SimpleNamespace(forwards=[item]), ctx))
    ]
    if not attacks or not all(type(call) is cst.Call and contains(loop, call) for call in attacks):
        return [], frozenset()
    order = {id(node): index for index, node in enumerate(in_source_order(loop))}
    last = max(order[id(call)] for call in attacks)
    kept = [
        (call, name)
        for call, name in candidates
        if id(call) in order and order[id(call)] > last and not any(contains(attack, call) for attack in attacks)
    ]
    return kept, frozenset(id(call) for call, _ in kept)
