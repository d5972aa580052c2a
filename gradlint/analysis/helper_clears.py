"""Gradient clears made by a helper: ``def reset(opt): opt.zero_grad()`` called between
``loss.backward()`` and ``optimizer.step()`` clears what the step was to apply (GRD508).

A callee's summary walk starts with nothing cleared; what it has cleared when it falls off its
end (on every path: ``State.cleared`` is joined as a must-fact) is, in the caller's names, cleared
at the call. Only a callee that runs no backward (which would give new gradients) and has no
``return`` but its end (the state at an early return is not the end state) says so.
"""

from __future__ import annotations

import libcst as cst

from .arguments import rename_path


def exit_clears(state, ends_open: bool, returns: list, effects) -> frozenset:
    """What the callee just walked has cleared on every way through it (its names), or nothing."""
    nested = effects.nested
    if not ends_open or returns or not state.cleared:
        return frozenset()
    if effects.backwards or effects.inner_backwards or nested is not None and nested.backwards:
        return frozenset()
    return frozenset(state.cleared)


class HelperClears:
    """Replaying a helper's clears at its call (a mixin of the analyzer)."""

    def _apply_helper_clears(self, cleared: frozenset, call: cst.Call, renames: dict) -> None:
        state = self.state
        if state.cleared is None:
            return  # no backward known to have run: nothing to clear
        renamed = frozenset(rename_path(renames, path) for path in cleared if path.split(".", 1)[0] in renames)
        if not renamed:
            return
        state.cleared = state.cleared | renamed
        if self.reporting:
            self.call_clears[id(call)] = renamed
