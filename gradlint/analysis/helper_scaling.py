"""Scaled gradients a helper leaves for its caller (GRD509).

``def backward(self, loss): self.scaler.scale(loss).backward()`` (a precision plugin, an AMP
engine's ``backward_loss``) called by a training loop that then clips: the gradients the clip
sees are the helper's scaled ones. A callee's walk starts unscaled; when it falls off its end
(no ``return`` before: the state at an early return is not the end state) with gradients scaled
and not unscaled since (``State.scaled``, joined so that every path must have scaled), its call
scales the caller's gradients too.
"""

from __future__ import annotations


def exit_scaled(state, ends_open: bool, returns: list) -> bool:
    """Whether the callee just walked leaves scaled gradients on every way through it."""
    return bool(ends_open and not returns and state.scaled)
