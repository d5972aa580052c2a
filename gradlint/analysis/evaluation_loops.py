"""Loops that evaluate a model: one model run over many batches with gradients enabled, and
recurrences that feed an accumulator back into the model (GRD502's evaluation-loop histories)."""
import libcst as cst

from .syntax import dotted
from .accumulator_resets import nested_loop_targets


def fed_back(path: str, record) -> bool:
    """The accumulator, or an element of it, is an input of a model the loop runs (`latents = latents
    + step(latents)`, `update, state = metalearner(grads, hs[-1])` then `hs.append(state)`): a
    recurrence (sampling, integration, generation, a meta-learner's state) builds its graph on
    purpose, each value's graph part of the next one's."""
    return any(
        _element_or_self(arg.value) == path for call, _, _, _ in record.forwards for arg in getattr(call, "args", ())
    )


def _element_or_self(node):
    """``hs`` for ``hs`` and ``hs[-1]`` (an element, not a view through ``.data`` or ``.detach()``)."""
    return dotted(node.value if type(node) is cst.Subscript else node)


def evaluates(ctx, record) -> bool:
    """A loop that runs a model with gradients enabled, outside a module's own methods (a
    forward that stacks per-step outputs builds its graph on purpose), and runs the same model
    in each iteration: a loop over models (``for model in model_trace:``, or a model built anew
    in each iteration) compares them, it does not evaluate one over many batches.

    The layers a model's forward runs are recorded at the model's call (with no path when the
    forward lies in another file): they belong to that model. A parameter-free torch module (a
    loss criterion, an activation) is no model: a loop applying only such modules to outputs
    computed before it (``for j in peers: kl += crit(log_softmax(out[i]), softmax(out[j]))``)
    combines one batch's outputs, it does not run the evaluation (whose enclosing loop does).
    Models iterated by a loop nested in this one (``for model in models:`` inside the batch
    loop) run in every iteration of this one: this loop evaluates them over its batches."""
    cls = ctx.current_class
    if cls is not None and (cls.is_module or ctx.scope_name == "forward"):
        # a tiled decode of a model stacking its tiles builds its graph on purpose (also in
        # diffusers' VAEs, whose ModelMixin base lies past the import budget: see ClassInfo.open_base)
        return False
    pathed = {id(call): path for call, path, _, _ in record.forwards if path is not None}
    # models iterated by a loop nested in this one run in every iteration of this one
    per_iteration = record.bound - nested_loop_targets(record.node)
    for call, path, module, mode in record.forwards:
        if mode is not True or module.cls is None and module.params is False:
            continue
        path = path if path is not None else pathed.get(id(call))
        if path is None or path.split(".", 1)[0] not in per_iteration:
            return True
    return False
