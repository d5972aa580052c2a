"""Freezes of a model a project function builds and returns, replayed where its caller binds it.

``def setup(): model = Net(); model.requires_grad_(False); opt = SGD(model.parameters()); return
model, opt`` then ``m, opt = setup(); train(m, loader, opt)``: the freeze happened to a local of
the helper, which no caller's argument names, so ``SummaryReplay._replay_freezes`` drops it. Here
the summarised walk notes, at each ``return``, the freezes (and unfreezes) made on each returned
local since it was last bound (``return model``, ``return model, opt``, ``return {"model": model}``);
the summary keeps those the function's every return agrees on (``Summary.returned_freezes``), and
the caller replays them, in order, on the names it binds the result to (``m, opt = setup()``,
``model = build(cfg).to(device)``, ``model = objs["model"]`` after ``objs = setup()``). A replayed
event keeps the helper's own node, so a finding about the freeze is reported at its line inside the
helper (once per line however many callers); a helper in another file freezes at the call.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, Optional

import libcst as cst

from .syntax import dotted, walk
from .values import UNKNOWN
from .value_paths import renamed_owners

#: methods of a module that return the module itself (``build(cfg).to(device)``)
SAME_MODULE = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "half", "double", "bfloat16"})


def _positions(node: Optional[cst.BaseExpression]) -> Dict[tuple, str]:
    """The returned locals by position: ``()`` for ``return model``, ``(0,)`` for the first item of
    a returned tuple, ``("model",)`` for a string key of a returned dict literal."""
    if node is None:
        return {}
    if type(node) is cst.Name:
        return {(): node.value}
    found: Dict[tuple, str] = {}
    if type(node) in (cst.Tuple, cst.List):
        for index, element in enumerate(node.elements):
            if type(element) is cst.StarredElement:
                return {}
            if type(element.value) is cst.Name:
                found[(index,)] = element.value.value
    elif type(node) is cst.Dict:
        for element in node.elements:
            if type(element) is not cst.DictElement:
                return {}
            key = element.key
            if type(key) is cst.SimpleString and type(element.value) is cst.Name:
                found[(key.evaluated_value,)] = element.value.value
    return found


def _settled(function, name: str, suffix: str, event, module_flags=frozenset(), decide=None):
    """``(suffix, event)``, with a whole freeze made a freeze of part of the model when the helper
    may have made a part trainable again after it (see ``_Around``). Layers the helper placed under
    the model before it (``model.fc = nn.Linear(...)`` then a loop freezing every parameter) go with
    the freeze (``FreezeEvent.heads``): GRD404's pitfall, unless the caller unfreezes them (a
    layer placed in a slot, ``model[-1] = ...``, which GRD404 does not follow, makes the freeze
    partial). ``module_flags``: the ids of ``X.requires_grad = v`` targets the walk found ``X`` a
    module at (``model.fc.requires_grad = True``): they unfreeze nothing. ``decide``: the walk's truth
    of an ``if`` test on this call's fixed flags (``if output_dim is not None:`` with ``output_dim=None``):
    an arm the call never runs changes nothing."""
    if event.whole and event.requires_grad is False and function is not None:
        visitor = _Around(name, event.node, module_flags, decide)
        function.body.visit(visitor)
        if visitor.changed_after or visitor.placed_before and not visitor.heads:
            return suffix, replace(event, whole=False)
        # (a freeze replayed from a helper of this helper names its layers by this helper's paths)
        inherited = [(path[len(name) :], target) for path, target in event.heads if path.startswith(name + ".")]
        if visitor.heads or event.heads:
            return suffix, replace(event, heads=tuple(inherited + visitor.heads))
    return suffix, event


class _Around(cst.CSTVisitor):
    """Walks the helper in source order around the freeze ``stop`` of the local ``name``.

    Before it: anything assigned under ``name`` (``name.fc = ...``, ``name[-1] = ...``: GRD404's
    pitfall). After it, what may make a part trainable again that the walk's freeze events need
    not show (as GRD407 forgets a freeze in its own scope): a ``requires_grad`` set to anything but
    a literal False (``model[2].requires_grad_(True)``, ``p.requires_grad = True`` over a list), a
    layer assigned under ``name``, ``name`` (or a part) given to a call, or a method of it called
    that is not known to keep the freeze."""

    def __init__(self, name: str, stop, module_flags=frozenset(), decide=None) -> None:
        self.name, self.stop = name, stop
        self.module_flags = module_flags
        self.decide = decide
        self.after = False
        self.placed_before = self.changed_after = False
        self.heads = []  # (path relative to ``name``, assignment target) of layers placed before
        self._slot_placed = False

    def on_visit(self, node) -> bool:
        if node is self.stop:
            self.after = True
            if self._slot_placed:
                self.heads = []  # a slot too: the freeze is made partial, as before heads were followed
            return False
        kind = type(node)
        if kind is cst.If and self.decide is not None:
            truth = self.decide(node.test)
            if truth is not None:
                # only the arm this call runs (``if freeze:`` given True; ``if head is not None:`` given None)
                live = node.body if truth else node.orelse
                if live is not None:
                    live.visit(self)
                return False
        if kind is cst.Assign:
            for target in (t.target for t in node.targets):
                if type(target) is cst.Attribute and target.attr.value == "requires_grad":
                    if self.after and not _is_false(node.value) and id(target) not in self.module_flags:
                        self.changed_after = True
                elif type(target) in (cst.Attribute, cst.Subscript) and _under(target, self.name):
                    if self.after:
                        self.changed_after = True
                    else:
                        self.placed_before = True
                        path = dotted(target) if type(target) is cst.Attribute else None
                        if path is not None and path.startswith(self.name + "."):
                            self.heads.append((path[len(self.name) :], target))
                        else:
                            self._slot_placed = True
        elif kind is cst.Call and self.after:
            func = node.func
            if type(func) is cst.Attribute and func.attr.value == "requires_grad_":
                if not (len(node.args) == 1 and _is_false(node.args[0].value)):
                    self.changed_after = True
            elif type(func) is cst.Attribute and _under(func.value, self.name) and func.attr.value not in KEEPS_FREEZE:
                self.changed_after = True
            elif any(_under(arg.value, self.name) for arg in node.args):
                self.changed_after = True
        return True


#: methods of a module that leave the ``requires_grad`` of its parameters as they are
KEEPS_FREEZE = frozenset(
    "eval train to cuda cpu float double half bfloat16 parameters named_parameters modules children named_modules "
    "named_children state_dict load_state_dict requires_grad_ zero_grad".split()
)


def _under(node, name: str) -> bool:
    while type(node) in (cst.Attribute, cst.Subscript):
        node = node.value
    return type(node) is cst.Name and node.value == name


def _parameter_names(function) -> frozenset:
    if type(function) is not cst.FunctionDef:
        return frozenset()
    params = function.params
    every = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    return frozenset(p.name.value for p in every)


def _is_false(node) -> bool:
    return type(node) is cst.Name and node.value == "False"


def agreed(per_return: list, ends_open: bool) -> tuple:
    """The positions every return of the function gives the same freezes of (none when a path
    falls off its end, returning None): ((position, ((suffix, event), ...)), ...)."""
    if not per_return or ends_open:
        return ()
    first = per_return[0]
    kept = []
    for position, events in first.items():
        ids = [(suffix, id(event)) for suffix, event in events]
        if all(
            [(suffix, id(event)) for suffix, event in other.get(position, ())] == ids for other in per_return[1:]
        ):
            kept.append((position, events))
    return tuple(kept)


class ReturnedFreezes:
    """A mixin of the analyzer (see the module doc)."""

    def _note_rebound(self, path: str) -> None:
        """``path`` bound anew in a function being summarised: freezes before this are another object's."""
        if self._rebound_at is not None and "." not in path and self._freeze_log is not None:
            self._rebound_at[path] = len(self._freeze_log)

    def _note_returned_freezes(self, node: Optional[cst.BaseExpression]) -> None:
        """At a ``return`` of a function being summarised: the freezes of each returned local."""
        if self._return_freezes is None or self._freeze_log is None or self._rebound_at is None:
            return
        here = {}
        params = _parameter_names(self.function)
        for position, name in _positions(node).items():
            start = self._rebound_at.get(name)
            if start is None and name in params:
                # a parameter returned as it came (``def load_pretrained(model, state): ...; return
                # model``): the caller's argument, whose freezes the caller replays at the call; but
                # ``model = load_pretrained(model, state)`` then binds the name anew, to what came back
                start = 0
            if start is None:
                continue  # not bound in the function: the module's object
            events = tuple(
                (event.owner[len(name) :], event)
                for event in self._freeze_log[start:]
                if event.owner == name or event.owner.startswith(name + ".")
            )
            if events:
                flags = self._module_flag_targets
                here[position] = tuple(
                    _settled(self.function, name, suffix, event, flags, self._decided_truth) for suffix, event in events
                )
        self._return_freezes.append(here)

    def _decided_truth(self, test) -> Optional[bool]:
        """The truth of an ``if`` test of the function this walk fixes (its flags never rebound):
        read at a ``return``, it is what it was at the test."""
        return self._flag_truth(test, self.value(test) if type(test) in (cst.Name, cst.Attribute) else UNKNOWN)

    def _keep_returned_freezes(self, call: cst.Call, summary, foreign: bool) -> None:
        if summary.returned_freezes and self.reporting:
            self._returned[id(call)] = (summary.returned_freezes, foreign)

    def _replay_returned_freezes(self, value_node, target) -> None:
        """``m, opt = setup()`` / ``model = build(cfg).to(device)`` / ``model = objs["model"]``: the
        helper's freezes of what it returned, on the names bound to it."""
        call = value_node
        while type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value in SAME_MODULE:
            call = call.func.value
        kept = self._returned.pop(id(call), None) if type(call) is cst.Call else None
        if kept is None:
            self._replay_held(value_node, target)
            return
        positions, foreign = kept
        owners = {}  # the helper's local -> the caller's name of it
        for position, events in positions:
            if not position:
                owner = dotted(target)
            elif type(target) in (cst.Tuple, cst.List) and type(position[0]) is int:
                elements = target.elements
                if len(elements) <= position[0] or any(type(e) is cst.StarredElement for e in elements):
                    continue
                owner = dotted(elements[position[0]].value)
            else:
                if type(target) is cst.Name and type(position[0]) is str:
                    self._held_freezes.setdefault(target.value, {})[position[0]] = (events, foreign, call)
                continue
            if owner is not None:
                self._apply_returned(events, owner, foreign, call)
                owners[_local(events)] = owner
        if owners and type(target) in (cst.Tuple, cst.List):
            for element in target.elements:
                self._rename_owner(dotted(element.value), owners)

    def _replay_held(self, value_node, target) -> None:
        """``model = objs["model"]`` after ``objs = setup()`` returned a dict holding a frozen model
        (or ``model, opt = objs["model"], objs["opt"]``)."""
        if type(target) in (cst.Tuple, cst.List) and type(value_node) in (cst.Tuple, cst.List):
            if len(target.elements) == len(value_node.elements):
                for name, item in zip(target.elements, value_node.elements):
                    if type(name) is not cst.StarredElement and type(item) is not cst.StarredElement:
                        self._replay_held(item.value, name.value)
            return
        if type(target) is cst.Name:
            self._held_freezes.pop(target.value, None)  # rebound: not the helper's dict any more
        if not self._held_freezes or type(value_node) is not cst.Subscript or type(value_node.value) is not cst.Name:
            return
        held = self._held_freezes.get(value_node.value.value)
        slices = value_node.slice
        if held is None or len(slices) != 1 or type(slices[0].slice) is not cst.Index:
            return
        key = slices[0].slice.value
        owner = dotted(target)
        if type(key) is not cst.SimpleString or owner is None:
            return
        owners = held.setdefault(None, {})
        entry = held.get(key.evaluated_value)
        if entry is not None:
            events, foreign, call = entry
            self._apply_returned(events, owner, foreign, call)
            owners[_local(events)] = owner
        self._rename_owner(owner, owners)

    def _rename_owner(self, path: Optional[str], owners: dict) -> None:
        """An optimizer returned beside the frozen model names it as the helper did (``model``):
        here it is the caller's name of that model (``m``)."""
        value = self.state.env.get(path) if path is not None else None
        if value is None or value.kind != "optimizer":
            return

        def rename(owner):
            if owner is None:
                return None
            head, dot, rest = owner.partition(".")
            return owners[head] + dot + rest if head in owners else owner

        self.state.env[path] = renamed_owners(value, rename)

    def _apply_returned(self, events, owner: str, foreign: bool, call: cst.Call) -> None:
        for suffix, event in events:
            unconditional = event.unconditional and self._always(event.requires_grad)
            node, at = (call, None) if foreign else (event.node, event.at)
            # the helper's layers under the model, by the caller's path (reported at the call for another file)
            heads = tuple((owner + path, call if foreign else target) for path, target in event.heads)
            whole = event.whole
            if heads and foreign and "requires_grad" not in self.source:
                # this file cannot unfreeze them: the helper's file reports its layer (see GRD404), not this one
                heads, whole = (), False
            moved = replace(
                event,
                owner=owner + suffix,
                node=node,
                at=at,
                unconditional=unconditional,
                inherited=(),
                heads=heads,
                whole=whole,
            )
            self._freeze(replace(moved, handed=False))
            # (a loop's whole freeze is settled when that loop ends, in the helper's own walk)
            self._whole_freezes.pop(id(node), None)


def _local(events) -> str:
    """The helper's name of the returned object the events are on."""
    suffix, event = events[0]
    return event.owner[: len(event.owner) - len(suffix)]


def returned_names(function: cst.FunctionDef) -> frozenset:
    """The locals a function returns, as ``_positions`` finds them (``return model``, ``return model,
    opt``, ``return {"model": model}``), also through a method that returns the module itself
    (``return model.to(device)``); not those of nested functions."""
    found = set()
    for node in walk(function.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is not cst.Return or node.value is None:
            continue
        value = node.value
        while type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in SAME_MODULE:
            value = value.func.value
        found.update(_positions(value).values())
    return frozenset(found)
