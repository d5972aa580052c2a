"""The parts of a model output of unknown structure, taken out by a dict's methods.

``loss_dict = detector(images, targets)`` of a model whose output may be a tensor, a tuple or a dict
(``Value.struct``): ``loss_dict.values()`` (or ``.items()``) are its parts. Each was computed by that
forward from the same inputs, so it names the graphs the output does (its deps); whether it requires
grad is not known (``output_part``). ``sum(loss for loss in loss_dict.values())`` then builds on
those graphs, and the backward() that proves the sum requires grad goes through them.
"""

from __future__ import annotations

from .values import UNKNOWN, Value, output_part, seq


def parts_of(output: Value, method: str) -> Value:
    """The value of ``output.values()`` or ``output.items()`` (``method``)."""
    part = output_part(output)
    if part.kind == "tensor":
        part = part.with_(deps=output.deps)
    if method == "values":
        return Value(kind="seq", elem=part, has_grad=None)
    pair = (UNKNOWN, part)
    return Value(kind="seq", elem=seq(list(pair)).with_(items=pair), has_grad=None)
