"""``copy.deepcopy`` / ``copy.copy`` of a leaf that requires grad: another leaf that requires grad.

``Tensor.__deepcopy__`` copies a graph leaf with its ``requires_grad`` (and refuses a non-leaf that
requires grad), so ``out = copy.deepcopy(img)`` of an image optimised in place is a new leaf whose
in-place writes (``out[ch] *= std[ch]``) raise as the original's would; under ``no_grad`` the copy
still requires grad (checked, torch 2.13). ``copy.copy`` gives a leaf that requires grad too. A copy
of anything else stays unknown (a module's copies are in ``frozen_copies``).
"""

from __future__ import annotations

from typing import Optional

from .values import Value, tensor

_COPIES = frozenset({"copy.deepcopy", "copy.copy"})


def copied_leaf(qual: str, args) -> Optional[Value]:
    """The value of ``copy.deepcopy(t)`` / ``copy.copy(t)`` when ``t`` is a leaf that requires grad."""
    if qual not in _COPIES or len(args) != 1:
        return None
    value = args[0][1]
    if not value.is_leaf_grad:
        return None
    return tensor(True, True, dtype=value.dtype, on_cpu=value.on_cpu)
