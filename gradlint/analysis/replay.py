"""Replaying a walked callee's summary at its call: its freezes, the fields it set, the optimizer
steps and gradient clears it made, and its loop effects, in the caller's names (``calls`` walks
the callee and keeps the summary; this applies it)."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .arguments import iterated_arguments, rename_path
from .field_stores import assigned_fields, stored_fields
from .loop_switches import last_loop_evals
from .state import LoopRecord
from .summaries import Summary
from .syntax import dotted
from .value_paths import renamed_owners


class SummaryReplay:
    def _replay_freezes(
        self, summary: Summary, call: cst.Call, renames: dict, function, receiver, trains=False, foreign=False
    ) -> None:
        """``freeze(model)`` froze the caller's model: the same event, at the call, in the caller's names.
        A finding about it is reported at the call when the callee is a helper that does nothing but
        change the flags (``def freeze_all(net): for p in net.parameters(): p.requires_grad = False``:
        calling it is the decision), else at the callee's own line (``load_finetune(net, path)`` loads
        weights and then freezes every parameter: that line is the mistake), when the callee is of this
        file. A freeze of a loop variable over a parameter (``for net in nets:``) froze each module given."""
        for event in summary.freezes:
            head, dot, rest = event.owner.partition(".")
            if head == "self":
                continue  # the callee's own objects
            if head in renames:
                owners = [rename_path(renames, event.owner)]
            else:
                owners = [path + dot + rest for path in iterated_arguments(call, function, receiver, head, self.value)]
            unconditional = event.unconditional and self._always(event.requires_grad)
            at = None if foreign or _flag_helper(function) else event.at or event.node
            # a callee that trains judges its own unfreeze, given this scope's freezes (``inherited_freezes``)
            handed = trains or event.handed
            for owner in owners:
                self._freeze(
                    replace(
                        event,
                        owner=owner,
                        node=call,
                        unconditional=unconditional,
                        at=at,
                        inherited=(),
                        handed=handed,
                    )
                )

    def _replay_constructor_freezes(self, call, target) -> None:
        """``model = Classifier(encoder)`` whose ``__init__`` froze ``self.encoder`` (under its
        ``freeze_encoder=True`` default, say): the same freeze, at the call, of ``model.encoder``,
        so a later ``model.requires_grad_(True)`` undoes it (GRD406) as if written here."""
        summary = self._constructed.pop(id(call), None)
        path = dotted(target)
        if summary is None or path is None:
            return
        for event in summary.freezes:
            head, dot, rest = event.owner.partition(".")
            if head == "self":
                unconditional = event.unconditional and self._always(event.requires_grad)
                self._freeze(
                    replace(event, owner=path + dot + rest, node=call, unconditional=unconditional, at=None, inherited=())
                )

    def _apply_field_stores(self, function: cst.FunctionDef, summary: Summary, owner: str) -> None:
        """``self.init_loss_fn()`` sets ``self.loss``: the caller's object has it from then on
        (``field_stores``: also what the methods it calls on ``self`` set)."""
        env = self.state.env
        holder = self.lookup(owner)
        cls = holder.cls if holder is not None else None
        for name in stored_fields(function, cls):
            path = f"{owner}.{name}"
            self._kill(path)
            value = summary.fields.get(name)
            if path in self.state.freed and (name in assigned_fields(function, cls) or _emptied(value)):
                # a new value (``self.forward()`` computing ``self.fake_B`` again): its graph is whole;
                # a list only appended to still holds the freed graphs (``freed_lists``)
                self.state.freed = self.state.freed - {path}
            if value is None:
                env.pop(path, None)  # set to something unknown
            else:
                env[path] = value

    def _apply_steps(self, summary: Summary, call: cst.Call, renames: dict, foreign: bool) -> None:
        """The caller's record of optimizers stepped since their last clear, after the call."""
        effects = summary.effects
        for owner in effects.clears:
            self._clear_path(None if foreign or owner is None else rename_path(renames, owner))
        loop = self._loops[-1] if self._loops else None
        if effects.backwards:
            self.state.armed = self.state.stepped  # the callee's backward()s may give any of them new gradients
        always = frozenset((rename_path(renames, path), owner) for path, owner in summary.steps_always if path is not None)
        for node, path, optimizer in effects.steps:
            key = (rename_path(renames, path), optimizer.owner)
            if key[0] is None:
                continue
            if loop is not None and not effects.clears and key in self.state.armed and self._cond_depth == loop.depth:
                # a step the callee takes only under a condition of its own (`if update_grad:`, bound
                # to the caller's accumulation test) is the caller's conditional step
                repeats = loop.repeated_steps if key in always else loop.conditional_repeats
                repeats.append((call if foreign else node, key[0], optimizer))
        for node, path, optimizer in effects.steps:
            # the callee's step wrote the caller's parameters in place: the caller's graphs that saved
            # them are stale (`update_params(critic_opt, q_loss)` before the policy loss's backward).
            # Only a step taken on every way through the callee, over parameters of a named owner.
            if path is not None and (path, optimizer.owner) in summary.steps_always and optimizer.owner is not None:
                renamed = renamed_owners(optimizer, lambda owner: rename_path(renames, owner))
                for owner in renamed.owners or (renamed.owner,):
                    self._mark_stale(owner)
        stepped = frozenset((rename_path(renames, path), owner) for path, owner in summary.stepped if path is not None)
        self.state.stepped = self.state.stepped | stepped
        self._note_step_sides(stepped)
        self.state.armed = self.state.armed - stepped
        self.state.steps_done = self.state.steps_done | always

    def _replay(
        self,
        effects: LoopRecord,
        call: cst.Call,
        renames: dict,
        foreign: bool,
        hands_back: bool = False,
        made=frozenset(),
        helper=None,
    ) -> None:
        """Add a callee's loop effects to the caller's loops, in the caller's names
        (see ``call_renames``); a call into another file is reported at the call, and so are the
        forwards of a callee that hands their output back (``summaries.hands_back``)."""

        def rename(path):
            return rename_path(renames, path)

        if foreign:
            backwards = [(call, None) for _ in effects.backwards]
            steps = [(call, rename(path), renamed_owners(value, rename)) for _, path, value in effects.steps]
            clears = [None for _ in _all_clears(effects)]
            forwards = [(call, None, module, mode) for _, _, module, mode in effects.forwards]
            named = [(call, rename(path), module, mode) for _, path, module, mode in effects.forwards if path]
            stores = [(call, rename(path)) for _, path in effects.stores]
        else:
            named = []
            backwards = [(node, rename(path)) for node, path in effects.backwards]
            stores = [(call, rename(path)) for _, path in effects.stores]
            steps = [(node, rename(path), renamed_owners(value, rename)) for node, path, value in effects.steps]
            clears = [rename(path) for path in _all_clears(effects)]
            # a forward inside a helper the summarised function calls (`validation_step` calling
            # `self.infer(x)`, which training uses too) happens at the call of the helper; so does
            # one in a helper that only runs the model and returns its output (`pred, true =
            # self._process_one_batch(x, y)`, also called by the training loop): the caller decides
            # what is done with that graph. A helper that switches the model itself is the evaluation.
            forward_helper = hands_back and not effects.mode_switches
            at = (lambda node: call) if not self.reporting or forward_helper else (lambda node: node)
            forwards = [(at(node), rename(path), module, mode) for node, path, module, mode in effects.forwards]
        # forwards of a model the callee makes in each call (`made`, see call_locals), at nodes that run no other
        made_here = _made_forwards(forwards, effects.forwards, made)
        if _all_dropped_at(call, forwards, effects.forwards, self.dropped_forwards):
            self.dropped_at_calls.add(id(call))
        # `validate(model)` whose body calls model.eval(): the switch is the callee's own `model.eval()`
        # (a finding is reported inside the callee, at its line); a callee in another file switches at
        # the call. `switch_calls` keeps, for each switch, the call in this loop that ran it.
        # an eval() run by the callee's own loop (`score_in_batches` calling `self.eval_(x)` for each
        # batch): the model comes back in eval mode once a batch ran; the callee's train() calls there
        # are its restores (``_inner_restores``)
        switches = [
            (call if foreign else node, rename(path), training)
            for node, path, training in effects.mode_switches + last_loop_evals(effects)
            if path
        ]
        inner = effects.inner_effects(call, rename)
        # the forwards of a helper's own loops whose outputs it hands back (an encoder loop and a
        # greedy decoding loop in `loss, pred = self.run_iter(x, y)`): the caller's loop evaluates
        # through the call when it runs in eval mode (``evaluation_forwards.helper_evaluations``)
        handed = [f + (helper,) for f in inner[0]] if helper is not None and not foreign and hands_back and not effects.mode_switches else []
        restores = {rename(path) for path in _inner_restores(effects)}
        for record in self._loops:
            record.inner_restores |= restores
            record.switch_calls.update((id(node), call) for node, _, _ in switches)
            record.forward_calls.update((id(node), call) for node, _, _, _ in forwards if node is not call)
            record.update_calls.update((id(node), call) for node, *_ in backwards + steps if node is not call)
            for kept, found in zip((record.inner_forwards, record.inner_steps, record.inner_backwards), inner):
                kept.extend(found)
            record.mode_switches.extend(switches)
            record.backwards.extend(backwards)
            record.steps.extend(steps)
            record.clears.extend(clears)
            record.forwards.extend(forwards)
            record.foreign_forwards.extend(named)
            record.helper_forwards.extend(handed)
            record.made_forwards |= made_here
            record.stores.extend(stores)


def _all_dropped_at(call, forwards, originals, dropped) -> bool:
    """Every forward the callee runs that may record a graph, placed at ``call``, was dropped where it
    ran (``test(..., model=m)`` whose ``model(torch.zeros(...))  # run once`` warms the model up and
    discards the output): its graph is freed at once in the callee, so the call counts as such a
    dropped forward, judged by GRD505 only where the caller's loop hands it the batches of a dataset."""
    placed = [original for (node, _, _, _), original in zip(forwards, originals) if node is call and original[3] is not False]
    return bool(placed) and all(id(node) in dropped for node, _, _, _ in placed)


def _inner_restores(effects: LoopRecord) -> set:
    """The modules the callee's own loops (and those of its callees) switch with ``train()`` (or a
    flag not known to be False): each may run, so the callee may well hand the model back in train
    mode even though its top level only calls ``eval()``."""
    nested = effects.nested
    found = set(effects.inner_restores)
    if nested is not None:
        found |= nested.inner_restores
        found |= {path for _, path, training in nested.mode_switches if path and training is not False}
    return found


def _all_clears(effects: LoopRecord) -> list:
    """What the callee cleared, with the clears made in its own loops (``def zero_grad(params): for p
    in params: p.grad.zero_()``): a caller's loop that runs it clears gradients. (Only the record's
    list, which says gradients may be cleared; the state's must-facts stay the callee's top level.)"""
    nested = effects.nested
    return effects.clears + nested.clears if nested is not None else effects.clears


def _made_forwards(forwards, originals, made) -> set:
    """Ids of the nodes of ``forwards`` (as replayed) that run only models the callee made in the call."""
    if not made:
        return set()
    fresh: dict = {}
    for (node, _, _, _), (_, path, _, _) in zip(forwards, originals):
        mine = bool(path) and path.split(".", 1)[0] in made
        fresh[id(node)] = fresh.get(id(node), True) and mine
    return {key for key, only in fresh.items() if only}


def _emptied(value) -> bool:
    """Not known to hold a graph any more: a list or dict left empty or holding none, or unknown."""
    return value is None or value.kind not in ("seq", "dict") or value.has_grad is False


def _flag_helper(function: cst.FunctionDef) -> bool:
    """A function whose body, but a docstring and a ``return``, is one statement (the freeze)."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    kept = [stmt for stmt in body if not _docstring_or_return(stmt)]
    return len(kept) <= 1


def _docstring_or_return(stmt) -> bool:
    if type(stmt) is not cst.SimpleStatementLine or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    return type(small) is cst.Return or type(small) is cst.Expr and type(small.value) in (cst.SimpleString, cst.ConcatenatedString)
