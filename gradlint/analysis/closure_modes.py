"""The train/eval mode a nested function sees of its enclosing function's modules.

A function defined inside another (``def test_loss(data): ... net(batch) ...`` inside ``main``)
reads the enclosing names when it is called, not when it is defined. Its own walk sees them as
the enclosing function left them at its end (``scopes._bind_late_names``): after a final
``net.eval()`` that walk took every forward of the nested function for an evaluation in eval mode,
although ``main`` called it only before the switch, while ``net`` trained. When the enclosing
function calls the nested one, the modes its modules had at those calls are the ones the nested
body runs with: one mode at every call is that mode; different modes are not known.
"""

from typing import Dict, Optional, Set

#: per nested function (id of its ``def``): module name -> the ``training`` flags seen at its calls
CallModes = Dict[int, Dict[str, Set]]


def note_closure_call(calls: CallModes, function, names: Dict) -> None:
    """A call of the nested ``function`` from its enclosing function, which sees ``names`` now."""
    seen = calls.setdefault(id(function), {})
    for name, value in names.items():
        if value.kind == "module":
            seen.setdefault(name, set()).add(value.training)


def settle_call_modes(outer: Dict, seen: Optional[Dict[str, Set]]) -> None:
    """Give the modules of ``outer`` (the names a nested function's own walk sees) the mode they had
    at the calls the enclosing function made, when it made any (a function it only returns or hands
    to a library runs later: the final mode stands)."""
    if not seen:
        return
    for name, trainings in seen.items():
        value = outer.get(name)
        if value is None or value.kind != "module":
            continue
        training = next(iter(trainings)) if len(trainings) == 1 else None
        if training != value.training:
            outer[name] = value.with_(training=training)
