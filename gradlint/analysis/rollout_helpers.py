"""A helper that runs a model and hands its outputs back, for callers that train on them.

An RL rollout (``run(agent, env)`` stepping the environment and returning the episode's
log-probabilities and values) is called by the training script, which backpropagates what it
returns, and by a render script after ``agent.eval()``. Walked in the render script's context, the
rollout's loop looks like an evaluation; but it is the training's rollout, and ``torch.no_grad()``
around its loop would stop training. The helper does not switch the model's mode itself (a helper
that calls ``model.eval()`` is the evaluation, and is judged as one).
"""

from __future__ import annotations

import libcst as cst

from .result_uses import backpropagated_by_callers
from .syntax import per_node, walk

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def rollout_for_training(ctx) -> bool:
    """The walked function returns a value, switches no mode itself, and some caller (in this file or
    one calling into it) backpropagates what it returns."""
    function = ctx.function
    if function is None or ctx.scope_name == "forward":
        return False
    if not _returns_value(function) or _switches_mode(function):
        return False
    return backpropagated_by_callers(ctx, function.name.value)


@per_node
def _returns_value(function: cst.FunctionDef) -> bool:
    return any(type(node) is cst.Return and node.value is not None for node in walk(function.body, prune=_NESTED))


@per_node
def _switches_mode(function: cst.FunctionDef) -> bool:
    return any(
        type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in ("eval", "train")
        for node in walk(function.body, prune=_NESTED)
    )
