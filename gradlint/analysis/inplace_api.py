"""In-place tensor methods and their function forms: which calls write a tensor's values in place."""

from __future__ import annotations

from typing import Optional

import libcst as cst

#: In-place tensor methods (``add_``) that are not writes of the tensor's values.
NOT_DATA_WRITES = frozenset({"requires_grad_", "retain_grad", "detach_", "share_memory_", "record_stream", "resize_"})


def is_inplace_method(name: str) -> bool:
    return name.endswith("_") and not name.startswith("_") and name not in NOT_DATA_WRITES


def is_inplace_function_form(qual: str) -> bool:
    """``torch.relu_``, ``torch.clamp_``, ``F.relu_``: an in-place tensor method written as a function of torch's."""
    namespace, _, name = qual.rpartition(".")
    return namespace in ("torch", "torch.nn.functional") and is_inplace_method(name)


def is_inplace_function(qual: str, call) -> bool:
    """``torch.relu_(w)`` or ``F.relu(w, inplace=True)``: a function writing its first argument in place."""
    if is_inplace_function_form(qual):
        return True
    if qual.rpartition(".")[0] != "torch.nn.functional":
        return False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "inplace":
            return isinstance(arg.value, cst.Name) and arg.value.value == "True"
    return False


#: activations whose in-place form (``F.relu(x, inplace=True)``) computes its gradient from its result
_RESULT_SAVING = frozenset({"relu", "relu6", "leaky_relu", "elu", "celu", "selu", "hardtanh", "threshold", "rrelu"})


def inplace_saving(qual: str, call) -> Optional[str]:
    """What a functional op written in place (``F.leaky_relu(h, 0.2, inplace=True)``) keeps for backward:
    never the input it has just overwritten, so writing a conv's output so is backpropagated fine. An
    activation computed back from its result keeps that ("output"); any other (``F.dropout(x,
    inplace=True)`` keeps its mask, ``F.silu`` a copy of its input) keeps nothing a later write of its
    result could change ("none"). None for any other call (its own saving stands)."""
    if not is_inplace_function(qual, call) or is_inplace_function_form(qual):
        return None
    return "output" if qual.rpartition(".")[2] in _RESULT_SAVING else "none"
