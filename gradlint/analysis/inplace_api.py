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


def inplace_saving(qual: str, call) -> Optional[str]:
    """What ``F.leaky_relu(h, 0.2, inplace=True)`` keeps for backward: its result (the in-place
    variant's formula reads the output), never the input it has just overwritten, so writing a conv's
    output so is backpropagated fine. None for any other call (its own saving stands)."""
    return "output" if is_inplace_function(qual, call) and not is_inplace_function_form(qual) else None
