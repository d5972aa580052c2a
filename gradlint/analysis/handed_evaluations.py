"""Evaluation forwards run inside a callable the file cannot read: ``criterion(image, target, student,
teacher)`` in a loop after ``student.eval()``.

A distillation loss (or a ``loss_fn(model, batch)``) of a class chosen at run time, or a parameter,
is given the model and the loop's batch: it runs the model on the batch inside. Whether it runs it
with gradients is not visible, so two facts are asked before such a call counts as an evaluation
forward of the model (GRD505): the file's own training backpropagates a result of that callable (a
``backward()`` of it or of a part unpacked from it, ``output_fields.graph_returning_callables``: the
callable builds a graph through the models it is given, as it must for the student to train), and
the call is given an item of the enclosing ``for`` loop (``data_loops.given_the_loop_item``), so the
model runs on the loop's data, once per batch. A callable the analysis can read is left to its
summary, which records the forwards it runs.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .data_loops import given_the_loop_item
from .output_fields import graph_returning_callables
from .syntax import dotted


def handed_evaluation(call: cst.Call, ctx) -> Optional[str]:
    """The path of a model in eval mode that ``call`` hands, with the loop's batch, to a callable the
    analysis cannot read but the file backpropagates the result of, with gradients enabled; else None."""
    loop = ctx.loop
    if loop is None or ctx.grad_enabled is not True or not call.args:
        return None
    path = dotted(call.func)
    if path is None or path not in graph_returning_callables(ctx.module_node, ctx.source):
        return None
    callee = ctx.value(call.func)
    if not (callee.kind == "unknown" and not callee.unread or callee.kind == "module" and callee.cls is None):
        return None  # a function or class of the project: its summary records what it runs
    if not given_the_loop_item(call, loop.node):
        return None
    for arg in call.args:
        model = dotted(arg.value)
        value = ctx.value(arg.value) if model is not None else None
        if value is not None and value.kind == "module" and value.training is False and value.params is True:
            return model
    return None


def not_run_in_loop(handed: list, record) -> list:
    """(call, model) of the models handed to a loss the loop cannot read, each model once, unless the
    loop also runs it itself (its own forwards are judged then)."""
    ran = {path for _, path, _, _ in record.forwards}
    found, seen = [], set()
    for call, path in handed:
        if path not in ran and path not in seen:
            seen.add(path)
            found.append((call, path))
    return found
