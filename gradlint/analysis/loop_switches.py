"""Models a called function's own loop leaves in eval mode.

``score_in_batches`` runs ``self.eval_(x)`` for each validation batch, and ``eval_`` calls
``self.net.eval()``: once a batch ran, the caller's ``self.net`` is in eval mode. The callee's state
at its end joins the loop's iterations with the path that runs none, so it says nothing of the mode;
the caller must not keep believing the model trains. The switch itself reaches the caller's loops
with the callee's other loop effects (``replay``)."""

from __future__ import annotations

from .arguments import rename_path


def last_loop_evals(effects) -> list:
    """The switches of the callee's loops (and their callees') that leave a model in eval mode: the
    last switch of each model there is an ``eval()`` (no later ``train()`` in the iteration)."""
    nested = effects.nested
    if nested is None:
        return []
    last = {}
    for switch in nested.mode_switches:
        if switch[1]:
            last[switch[1]] = switch
    return [switch for switch in last.values() if switch[2] is False]


def forget_modes_switched_in_loops(walker, effects, renames: dict) -> None:
    """The caller's models that such a loop may have switched: their mode is no longer known."""
    for _, path, _ in last_loop_evals(effects):
        name = rename_path(renames, path)
        current = walker.lookup(name) if name else None
        if current is None or current.kind != "module" or current.training is not True:
            continue
        for other in [name] + walker._other_names(name):
            walker.state.env[other] = current.with_(training=None)
