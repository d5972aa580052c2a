"""Tensors a helper's graph saved: ``def calc_loss(xb, w): return (xb @ w).mean() + wd * (w ** 2).sum()``
saves ``w`` (``w ** 2`` keeps it for its gradient). Called as ``loss = calc_loss(xb, weights)``, the
caller's ``weights`` is saved by ``loss``'s graph until a ``backward()``: a write through
``weights.data`` before it silently changes the gradient (GRD203). A callee's summary walk notes what
is saved at each of its normal exits (``State.saved``, a must-fact); the parameters saved at every
exit are, in the caller's names, saved at the call.
"""

from __future__ import annotations

from .arguments import parameters, rename_path


def saved_parameters(exits: list, function) -> frozenset:
    """The parameters (plain names) saved on every normal exit of the function just walked."""
    if not exits:
        return frozenset()
    names = {param.name.value for param in parameters(function)}
    return frozenset(path for path in frozenset.intersection(*exits) if path in names)


def apply_saved_arguments(analyzer, saved_args: frozenset, renames: dict) -> None:
    state = analyzer.state
    if state.mode is not True:
        return
    renamed = frozenset(rename_path(renames, path) for path in saved_args if path in renames)
    if renamed:
        state.saved = state.saved | renamed
