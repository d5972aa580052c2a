"""The models a call of a project function runs with gradients, and the optimizers it steps, in
the caller's names.

``train(model, loader, criterion, optimizer)`` defined in ``training.py`` and called by
``main.py``, which built ``optimizer = SGD(model.fc.parameters())``: the file that built the
optimizer never calls the model itself, but the call does, with gradients (GRD405 asks).
"""

from __future__ import annotations

from typing import List, Tuple

from .arguments import rename_path
from .value_paths import renamed_owners


def trained_forwards(summary, renames: dict) -> List[Tuple[str, object]]:
    """(caller path, module value) of each forward of a model the callee was given (a parameter,
    not ``self``) that ran under grad mode with trainable parameters, in its loops or not."""
    found = []
    for _, path, module, mode in summary.effects.all_of("forwards"):
        if mode is not True or not path or module is None or module.kind != "module" or module.params is not True:
            continue
        head = path.split(".", 1)[0]
        if head == "self" or head not in renames:
            continue
        renamed = rename_path(renames, path)
        if all(renamed != known for known, _ in found):
            found.append((renamed, module))
    return found


def trained_steps(summary, renames: dict, params: dict) -> list:
    """The optimizers the callee was given (a parameter, not ``self``) and stepped, in its loops or
    not: ``train(model, loader, optimizer)`` steps the caller's ``optimizer`` (GRD407 asks whether it
    updates a model frozen whole). Each is the caller's path of it, or, for an optimizer built in the
    call's arguments (``train(model, loader, SGD(model.parameters(), lr=0.1))``), its value."""
    found = []
    for step in summary.effects.all_of("steps"):
        path = step[1]
        base = path.split(".", 1)[0] if path else None
        if not path or base == "self":
            continue
        if base not in renames:
            value = params.get(path)
            if value is not None and value.kind == "optimizer":
                # the callee saw its owners by its own names (`train(net, opt)` given `net2`): the caller's
                value = renamed_owners(value, lambda owner: _callers_path(renames, owner))
                if value not in found:
                    found.append(value)
            continue
        renamed = rename_path(renames, path)
        if renamed and renamed not in found:
            found.append(renamed)
    return found


def _callers_path(renames: dict, owner):
    if owner is None or owner.split(".", 1)[0] not in renames:
        return owner
    return rename_path(renames, owner)


def looped_evaluations(summary) -> list:
    """The modules with trainable parameters that the callee's loops (or its callees') ran in eval mode
    with gradients, for a callee that trains nothing (``_trains``) and switches no model to ``eval()``
    itself (its own file reports such a loop): ``reverse_chain(net, steps)`` of another file looping
    ``x = denoise_step(x, t, net)`` after its caller's ``net.eval()``, an evaluation loop run at the call."""
    nested = summary.effects.nested
    if nested is None or any(training is False for _, _, training in summary.effects.mode_switches + nested.mode_switches):
        return []
    return [
        module
        for _, _, module, mode in nested.forwards + nested.inner_forwards
        if mode is True and module is not None and module.kind == "module" and module.params is True and module.training is False
    ]


def summary_trains(summary) -> bool:
    """The callee backpropagated or stepped an optimizer (in a loop of its own or not)."""
    effects = summary.effects
    nested = effects.nested
    return bool(
        effects.backwards
        or effects.steps
        or effects.inner_backwards
        or effects.inner_steps
        or nested is not None
        and (nested.backwards or nested.steps)
    )
