"""Freezes a caller made that a callee's unfreeze undoes (GRD406 across functions and files).

``main()`` freezes ``model.backbone`` and calls ``train(model)``, whose first lines unfreeze every
parameter of ``model`` before its loop: the pitfall is the callee's own line. So the walk keeps
the freezes of its scope not yet followed by any training (``_pending_freezes``: a backward, an
optimizer step, a call of a project function, ``fit``/``train_step``); a call of a project
function hands those under its arguments to the callee, in its parameters' names
(``Context.frozen``), whose walk starts with them; an unconditional unfreeze of every parameter
of a module there names the caller's freezes it undoes (``FreezeEvent.inherited``). The rule
reports it once the callee trains after it; the caller, whose replay of that unfreeze at the call
is ``handed`` to the callee, stays silent about it.
"""

from __future__ import annotations

from dataclasses import replace


import libcst as cst

from .arguments import call_renames, parameters
from .returned_freezes import SAME_MODULE
from .state import FreezeEvent
from .syntax import dotted

_EMPTY = cst.Module(body=[])


def _text(node) -> str:
    if isinstance(node, cst.For):
        text = f"for {_EMPTY.code_for_node(node.target)} in {_EMPTY.code_for_node(node.iter)}"
    else:
        text = _EMPTY.code_for_node(node)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _within(path: str, owner: str) -> bool:
    return path == owner or path.startswith(owner + ".")


class InheritedFreezes:
    """The pending freezes of the walk (a mixin of the analyzer)."""

    def _note_pending(self, event: FreezeEvent) -> FreezeEvent:
        """Keep ``event``'s effect on the pending freezes; the event, with the callers' freezes it undoes."""
        pending = self._pending_freezes
        if event.requires_grad is False:
            pending.append((event.owner, event.whole, _text(event.node), False))
            return event
        if not pending or event.requires_grad is not True or not event.whole or not event.unconditional:
            return event
        if event.handed:
            # a callee's unfreeze replayed at its call: the callee's walk is given these freezes
            self._pending_freezes = [entry for entry in pending if not _within(entry[0], event.owner)]
            return event
        owner = event.owner
        inherited = tuple(
            (path, text)
            for path, whole, text, from_caller in pending
            if from_caller and (path.startswith(owner + ".") or path == owner and not whole)
        )
        # the callers' stay until training runs: a loop over the parameters is walked more than once,
        # silently before the pass that reports
        self._pending_freezes = [entry for entry in pending if entry[3] or not _within(entry[0], owner)]
        return replace(event, inherited=inherited) if inherited else event

    def callers_frozen(self) -> tuple:
        """The paths, in this function's names, of what its callers froze and handed to it
        (``Context.frozen``) that no training here has followed yet."""
        return tuple(owner for owner, _, _, from_caller in self._pending_freezes if from_caller)

    def _training_ran(self) -> None:
        """A backward, a step or a call that may train: later unfreezes are deliberate."""
        if self._pending_freezes:
            self._pending_freezes = []

    def _frozen_arguments(self, call: cst.Call, function: cst.FunctionDef, receiver) -> tuple:
        """The pending freezes under the call's arguments, in the callee's parameter names:
        ((parameter path, whole, freeze text), ...), sorted. With them, the freezes a helper made
        of the model it returned, when its call is the argument (``returned_into``)."""
        found = set(self._returned_into(call, function, receiver)) if self._returned else set()
        if not self._pending_freezes:
            return tuple(sorted(found))
        renames = call_renames(call, function, receiver)
        for param, path in renames.items():
            if not path or param == "self":
                continue
            for owner, whole, text, _ in self._pending_freezes:
                if _within(owner, path):
                    found.add((param + owner[len(path) :], whole, text))
        return tuple(sorted(found))

    def _returned_into(self, call: cst.Call, function: cst.FunctionDef, receiver):
        """``train(build_model(), loader)``: the helper froze part of the model it returned, which no
        name of this scope holds (``returned_freezes`` replays them on a name bound to the result); the
        freezes it left are the callee's parameter's, as if the caller had bound the model and passed it."""
        slots = parameters(function)[1 if receiver is not None else 0 :]
        by_name = {param.name.value for param in slots}
        for index, arg in enumerate(call.args):
            if arg.star:
                return
            if arg.keyword is not None:
                param = arg.keyword.value if arg.keyword.value in by_name else None
            else:
                param = slots[index].name.value if index < len(slots) else None
            value = arg.value
            while type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in SAME_MODULE:
                value = value.func.value
            kept = self._returned.get(id(value)) if param is not None and type(value) is cst.Call else None
            if kept is None:
                continue
            frozen = {}
            for position, events in kept[0]:
                for suffix, event in events if not position else ():
                    path = param + suffix
                    if event.requires_grad is False:
                        frozen[path] = (path, event.whole, _text(event.node))
                    else:  # a later unfreeze of a part, or of the whole, undoes the freezes under it
                        frozen = {key: entry for key, entry in frozen.items() if not _within(key, path)}
            yield from frozen.values()

    def _after_call(self, node: cst.Call, callee) -> None:
        """A call that may train the frozen models (as GRD406 judges it): ``x.step()``, ``fit``,
        ``train_step``, a project function, or anything not torch's given one of them."""
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("step", "fit", "train_step"):
            self._training_ran()
            return
        if callee.kind in ("ref", "module", "builtin"):
            return
        roots = {owner.split(".")[0] for owner, _, _, _ in self._pending_freezes}
        if callee.kind == "func" or any(
            path is not None and any(_within(path, root) for root in roots) for path in map(dotted, (a.value for a in node.args))
        ):
            self._training_ran()

    def _drop_pending(self, path: str) -> None:
        """``path`` rebound: the freezes of what it held are not this object's."""
        self._pending_freezes = [entry for entry in self._pending_freezes if not _within(entry[0], path)]

    def _seed_pending(self, frozen: tuple) -> None:
        """At the entry of a function walked in a context: its callers' pending freezes."""
        self._pending_freezes = [(path, whole, text, True) for path, whole, text in frozen]


