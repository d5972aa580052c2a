"""Tensors handed to a module inside a dict: ``unet(**inputs)``, ``model(batch)``.

A ControlNet training step freezes the diffusion U-Net and calls it with
``unet(**unet_inputs)``, the dict holding the ControlNet's residuals (``unet_inputs.update(
{"mid_block_additional_residual": mid})``). The U-Net's output depends on them: it requires grad
through the ControlNet although every U-Net parameter is frozen, and backward reaches the
ControlNet. The module's output carries what the dict's values carry.
"""

from __future__ import annotations


def mapping_contents(args) -> tuple:
    """(the modules the tensors held by dict arguments went through, whether one requires grad)."""
    through, grad = frozenset(), False
    for _, value in args:
        if value.kind != "dict":
            continue
        for item in value.items:
            if item.kind == "tensor":
                through = through | item.through
                grad = grad or item.grad is True
    return through, grad
