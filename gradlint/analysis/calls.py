"""Calls to the project's own functions and methods: walking the callee, replaying its summary.

A call to a function defined in the file is interpreted, not skipped:

- **At the call site** the callee is walked silently with its parameters bound to the
  arguments' values and the caller's grad mode. That gives the call's value (a
  tensor, a tuple or dict kept by position and key) and its effects on the caller's
  loops (``backward()`` calls, optimizer steps, gradient clears). Each
  (function, argument values, grad mode) is walked once; later calls replay its
  summary.
- **For reporting**, every call site seen on a reporting pass leaves a *context*
  (argument values, grad mode, receiver) for the callee. After the module, each
  function is walked once per context, reporting at its own lines (a finding is
  reported once per line whatever the number of contexts). A function nobody in
  the file calls is walked once with unknown parameters, as before.

Bounds keep this linear in practice: call strings are cut at ``MAX_DEPTH`` nested
walks, recursion is cut at the first repeat, a function keeps at most
``MAX_CONTEXTS`` contexts (more are joined into one), and a file spends at most
``MAX_INLINE_WALKS`` silent walks; past a bound a call is unknown, which keeps every
rule silent about it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional

import libcst as cst

from . import torch_api as api
from .arguments import bind_arguments, binds_first, call_renames, owners_in_callee, parameters, rename_path
from .backprop_params import argument_nodes, backpropagated, exit_for_none, proven_at_every_exit
from .call_forwards import looped_evaluations, trained_forwards, trained_steps, summary_trains
from .closure_modes import note_closure_call
from .helper_clears import exit_clears
from .loop_switches import forget_modes_switched_in_loops
from .helper_saves import apply_saved_arguments, saved_parameters
from .helper_scaling import exit_scaled
from .model_inputs import fed_only_to_models
from .nested_fields import self_fields
from .other_frameworks import compiled_kernel
from .function_entry import FunctionEntry
from .freed_fields import as_fields, exported_fields, receiver_freed_fields
from .imports import out_of_time
from .init_stores import callee_stores
from .state import SCOPE_FIELDS, LoopRecord, Terminated
from .call_locals import made_arguments, made_per_call
from .display_arguments import switch_members
from .returned_freezes import agreed
from .return_deps import carried_positions, deps_by_position, freed_arguments, parameter_deps, through_results, with_carried
from .submodule_modes import unnamed_receiver_fields
from .untrained_arguments import UntrainedArguments
from .summaries import (
    ARGUMENT_FIELD,
    FIELD,
    OUTER,
    CallTable,
    Context,
    Summary,
    argument_field_modes,
    closure_key,
    field_modes,
    hands_back,
    holds_grad,
    join_contexts,
    joined_per_mode,
    mutated_containers,
    outer_modes,
    says_nothing,
    shared_outputs,
    switched_fields,
)
from .syntax import base_path, function_facts
from .values import NONE, UNKNOWN, ClassInfo, Tri, Value, join_all, seq
from .value_paths import without_paths

MAX_DEPTH = 3
MAX_CONTEXTS = 2
MAX_INLINE_WALKS = 150


class Calls(FunctionEntry, UntrainedArguments):
    """Interprets calls to the file's own functions and methods (see the module doc)."""

    def _call_function(
        self,
        function: cst.FunctionDef,
        call: cst.Call,
        args,
        receiver: Optional[Value] = None,
        names=None,
        module_path: Optional[str] = None,
    ) -> Value:
        """The value of a call; ``names``: the module names a function of another file sees;
        ``module_path``: for a module called as ``model(x)``, the path of the module its forward runs on."""
        table: CallTable = self.calls
        if function.decorators and compiled_kernel(function, self.silent_eval):
            return UNKNOWN  # a kernel of another language (other_frameworks)
        bound = bind_arguments(function, call, args, bound_self=binds_first(function, receiver))
        if bound is None:
            return UNKNOWN
        params = {name: without_paths(value) for name, value in owners_in_callee(bound, call, function, receiver).items()}
        if names is None and receiver is not None and receiver.cls is not None and receiver.cls.namespace is not None:
            names = receiver.cls.namespace.env
        if receiver is not None:
            receiver_path = module_path if module_path is not None else call_renames(call, function, receiver).get("self")
            fields = switched_fields(self.state.env, receiver_path, receiver) if receiver_path else unnamed_receiver_fields(receiver)
        else:
            receiver_path, fields = None, ()
        frozen = self._frozen_arguments(call, function, receiver)
        freed_fields = receiver_freed_fields(self.state.freed, receiver_path)
        context = Context(params, self._called_mode(function), receiver, fields, frozen, freed_fields=freed_fields)
        if self.reporting and self._recording_contexts and names is None:
            known = table.contexts.setdefault(id(function), [])
            if all(c.key() != context.key() for c in known):
                known.append(context)
        if self.harvest is not None and self.reporting and self._recording_contexts:
            # (a method of the linted file inherited by a caller's class: ``names`` is None)
            self._harvest_context(function, context)
        if id(function) in table.active or table.too_deep(MAX_DEPTH):
            table.refused.add(id(call))
            return UNKNOWN
        if self.state.freed:
            # (not in the contexts recorded above: the callee's findings do not depend on it)
            context = replace(context, freed=freed_arguments(bound, call_renames(call, function, receiver), self.state.freed))
        closure = self._closure_names(function) if names is None else None
        if closure is not None:
            note_closure_call(self._closure_calls, function, closure)
        key = (id(function),) + context.key() + (closure_key(closure, function),)
        summary = table.cached(key)
        if summary is None:
            if table.walks >= MAX_INLINE_WALKS or out_of_time():
                table.refused.add(id(call))
                return UNKNOWN
            table.walks, refusals = table.walks + 1, table.depth_refusals
            summary = self._summarise(function, context, names, closure=closure)
            table.store(key, summary, refusals)
        self.output_sharing[id(call)] = summary.shared_outputs
        nested = summary.effects.nested
        if summary.effects.backwards or nested is not None and nested.backwards:
            self.state.no_grads = False
        renames = call_renames(call, function, receiver)
        if module_path is not None:
            renames["self"] = module_path  # `self.encoder(x)` runs the forward of `self.encoder`, not of `self`
        for param, value in summary.mutated.items():
            if param.startswith(FIELD) or param.startswith(ARGUMENT_FIELD):
                head, attr = ("self", param[len(FIELD) :]) if param.startswith(FIELD) else param[len(ARGUMENT_FIELD) :].split(".")
                owner = renames.get(head)
                field = f"{owner}.{attr}"
                current = self.lookup(field) if owner else None
                if current is None and owner or current is not None and current.kind == "unknown":
                    current = value  # the callee's eval()/train() shows it is a module
                if current is not None and current.kind == "module":
                    # and the caller's local copies of the field (`model = self.model`)
                    for name in [field] + self._other_names(field):
                        self.state.env[name] = current.with_(training=value.training)
                continue
            if param.startswith(OUTER):
                # the same name here: the closure's (or module's) model, switched by the call
                name = param[len(OUTER):]
                current = self.lookup(name)
                if current is not None and current.kind == "module":
                    self.state.env[name] = current.with_(training=value.training)
                continue
            path = renames.get(param)
            if not path and value.kind == "seq":
                switch_members(self, call, function, receiver, param, value)  # `set_mode("eval", [model])`
                continue
            if path and path != "self":
                # the caller's container, changed in place (not rebound) by the call
                self.state.env[path] = value
                if value.kind == "seq" and value.has_grad is False:
                    self.state.freed = self.state.freed - {path}  # emptied (``freed_lists``)
                if self.state.mode is True and holds_grad(value):
                    for record in self._loops:
                        record.stores.append((call, path))
                    if not self._loops:
                        self._emit("on_store", call, path)
        forget_modes_switched_in_loops(self, summary.effects, renames)
        if receiver is not None and renames.get("self"):
            self._apply_field_stores(function, summary, renames["self"])
            self.state.freed = self.state.freed | as_fields(summary.freed_fields, renames["self"])
        self.apply_global_fills(summary.globals_filled)
        trains = summary_trains(summary)
        if trains and self.reporting:
            self.training_calls.add(id(call))
            self.call_forwards[id(call)] = trained_forwards(summary, renames)
            self.call_steps[id(call)] = trained_steps(summary, renames, params)
        elif names is not None and self.reporting and not self._loops:
            self.foreign_evaluations[id(call)] = looped_evaluations(summary)
        self._replay_freezes(summary, call, renames, function, receiver, trains, foreign=names is not None)
        self._keep_returned_freezes(call, summary, foreign=names is not None)
        if summary.untrained:
            self._replay_untrained(summary.untrained, call, renames)
        if summary.proven:
            self._prove_arguments(summary.proven, call, function, receiver)
        self._apply_steps(summary, call, renames, foreign=names is not None)
        if summary.cleared:
            self._apply_helper_clears(summary.cleared, call, renames)
        apply_saved_arguments(self, summary.saved_args, renames, function, call)
        self.state.scaled = self.state.scaled or summary.scaled
        if summary.fed and self.reporting:
            self._mark_fed_arguments(summary.fed, call, function, receiver)
        if self._loops:
            made = made_per_call(function) | made_arguments(call, function, receiver, self.function)
            self._replay(
                summary.effects, call, renames, names is not None, hands_back(summary.returns), made, id(function)
            )
        elif self.state.mode is True:
            # outside any loop (a training step its caller repeats): rules judge the store
            for _, path in summary.effects.stores:
                if path and path.split(".", 1)[0] in renames:
                    self._emit("on_store", call, rename_path(renames, path))
        result = through_results(summary, bound, renames, function_facts(function).generator)
        return with_carried(result, summary.carries, renames)

    def _prove_arguments(self, proven: frozenset, call: cst.Call, function: cst.FunctionDef, receiver) -> None:
        """The callee backpropagated these parameters on every way out: their arguments require
        grad from here on (``backprop_params``)."""
        bound = binds_first(function, receiver)
        nodes = argument_nodes(call, parameters(function)[1 if bound else 0 :])
        for name in sorted(proven):
            if name in nodes:
                self._prove_backpropagated(nodes[name])

    def _note_exit(self) -> None:
        """A normal exit of the function being summarised: the parameters it has backpropagated,
        or tested to be None on the way here (that call had nothing to backpropagate)."""
        if self._exit_steps is not None:
            self._exit_steps.append(self.state.steps_done)
            self._exit_saved.append(self.state.saved)
            self._exit_freed.append(self.state.freed)
        if self._exit_proofs is None or self.function is None:
            return
        names = [param.name.value for param in parameters(self.function)]
        self._exit_proofs.append(backpropagated(self.state.env, names) | exit_for_none(self._own_blocks(), names))

    def _own_blocks(self) -> list:
        """The blocks of the function being walked: a callee summarised during its caller's walk
        sits below the caller's blocks, whose ``if mask is None:`` tests no parameter of the callee."""
        body = self.function.body
        statements = body.body if isinstance(body, cst.IndentedBlock) else None
        for index in range(len(self._blocks) - 1, -1, -1):
            if self._blocks[index][0] is statements:
                return self._blocks[index:]
        return []

    def _called_mode(self, function: cst.FunctionDef) -> Tri:
        """The grad mode ``function`` runs in when called here: its own ``@torch.no_grad()`` (or
        ``@torch.enable_grad()``, ``@torch.inference_mode()``) decorator sets it, whatever the caller's."""
        for decorator in function.decorators:
            value = self.silent_eval(decorator.decorator)
            if value.kind == "gradmode":
                return value.mode
            if value.kind == "ref" and value.qual in api.GRAD_MODE_CONTEXTS:
                return api.GRAD_MODE_CONTEXTS[value.qual]
        return self.state.mode

    def _closure_names(self, function: cst.FunctionDef) -> Optional[dict]:
        """For a function defined inside the function being walked (``def compute_loss(batch):`` in
        ``train(model, ...)``), the names its body sees when called from here: the enclosing
        function's, as they are now (a closure reads them at call time), then the module's."""
        if id(function) not in self._closures or self.outer is None:
            return None
        names = dict(self.outer)
        names.update(self.state.env)
        return names

    def _note_store(self, target, value: Value) -> None:
        """A grad tensor added into ``self.<field>`` by a method: the caller's object keeps its graph."""
        if not (value.is_grad_tensor and not value.struct and self.state.mode is True and self._inline_receiver):
            return
        path = base_path(target)
        if path is not None and path.startswith("self."):
            for record in self._loops:
                record.stores.append((None, path))

    def _summarise(self, function: cst.FunctionDef, context: Context, names=None, closure=None) -> Summary:
        """Walk the callee silently in ``context``; its loop effects go to a collector."""
        table: CallTable = self.calls
        saved = {name: getattr(self, name) for name in SCOPE_FIELDS}
        was_reporting, was_recording = self.reporting, self._recording_contexts
        collector = LoopRecord(function, frozenset())
        collector.nested = LoopRecord(function, frozenset())
        collector.nested.nested = collector.nested  # loops nested deeper report to the same record
        returns: list = []
        if closure is not None:
            outer = closure
        else:
            outer = names if names is not None else self.outer if self.outer is not None else dict(self.state.env)
        cls = context.receiver.cls if context.receiver is not None else None
        table.active.append(id(function))
        was_inline_receiver, init_stores = self._inline_receiver, self._init_stores
        self._inline_receiver = context.receiver is not None
        self._init_stores = callee_stores(init_stores, context.receiver, self.state.env.get("self"))
        carries: Optional[list] = None
        try:
            self.reporting = False
            self._recording_contexts = False
            self._enter_function(
                function, outer, context.mode, cls, dict(context.params), context.receiver, context.fields
            )
            self._seed_pending(context.frozen)
            self.state.freed = self.state.freed | as_fields(context.freed_fields)
            if context.freed:
                self.state.freed = self.state.freed | context.freed
                self._carried_params, self._return_carries = context.freed, []
                carries = self._return_carries
            self.state.cleared = frozenset()  # what it clears from its entry on (``helper_clears``)
            self._model_inputs = set()  # the names it gives straight to a model (``model_inputs``)
            self._returns = returns
            self._yields = yields = [] if function_facts(function).generator else None
            self._freeze_log = freezes = []
            self._untrained = untrained = []
            self._rebound_at, self._return_freezes = {}, []
            per_return = self._return_freezes
            self._loops = [collector]
            self._exit_proofs = exits = []
            self._exit_steps, self._exit_saved = exit_steps, exit_saved = [], []
            self._exit_freed = exit_freed = []
            ends_open = not self._body(function.body)
            if ends_open:
                self._note_exit()
            # (freed on every way out: ``freed_fields``)
            freed_fields = exported_fields(frozenset.intersection(*exit_freed)) if exit_freed else frozenset()
            # functions it defines may be walked (queued) here: they see the names it binds later
            self._bind_late_names()
            stepped = self.state.stepped
            steps_always = frozenset.intersection(*exit_steps) if exit_steps else frozenset()
            cleared = exit_clears(self.state, ends_open, returns, collector)
            saved_args = saved_parameters(exit_saved, function)
            scaled = exit_scaled(self.state, ends_open, returns)
            fed = fed_only_to_models(function, self._model_inputs)
            mutated = mutated_containers(function, context, self.state.env)
            if names is None:
                mutated.update(outer_modes(function, context, self.state.env, outer))
            mutated.update(field_modes(self.state.env, cls))
            mutated.update(argument_field_modes(self.state.env, context, function))
            # a generator's body runs only when iterated: its call proves nothing
            proven = proven_at_every_exit(exits, function) if not function_facts(function).generator else frozenset()
            fields, nested = self_fields(self.state.env)
            env = self.state.env
            filled = {path: without_paths(env[path]) for path in self._global_fillers() if path in env}
        except (Terminated, RecursionError):
            returns, ends_open, fields, stepped, yields, mutated, freezes = [], False, {}, frozenset(), None, {}, []
            untrained = []
            nested = {}
            per_return = []
            steps_always = frozenset()
            filled = {}
            cleared = fed = saved_args = frozenset()
            proven, scaled = frozenset(), False
            carries = None
            freed_fields = frozenset()
        finally:
            table.active.pop()
            self._inline_receiver, self._init_stores = was_inline_receiver, init_stores
            self.reporting, self._recording_contexts = was_reporting, was_recording
            for name, value in saved.items():
                setattr(self, name, value)
        if yields is not None:
            # calling a generator function gives a generator: iterating it gives what it yields
            return Summary(
                without_paths(seq(yields)), collector, fields, stepped, mutated=mutated, freezes=freezes, globals_filled=filled,
                returns_from=parameter_deps(yields, function), returns_by_position=deps_by_position(yields, function),
            )
        if ends_open:
            returns.append(NONE)
            if carries is not None:
                carries.append(frozenset())
        result = without_paths(join_all(returns)) if returns else UNKNOWN
        return Summary(
            result,
            collector,
            fields,
            stepped,
            steps_always=steps_always,
            mutated=mutated,
            freezes=freezes,
            shared_outputs=shared_outputs(returns),
            proven=proven,
            globals_filled=filled,
            cleared=cleared,
            saved_args=saved_args,
            scaled=scaled,
            fed=fed,
            returns_from=parameter_deps(returns, function),
            returns_by_position=deps_by_position(returns, function),
            carries=carried_positions(returns, carries) if carries else (),
            returned_freezes=agreed(per_return, ends_open),
            freed_fields=freed_fields,
            nested_fields=nested,
            untrained=tuple(untrained),
        )

    def _contexts_for(
        self, function: cst.FunctionDef, cls: Optional[ClassInfo] = None, qualname: Optional[str] = None
    ) -> List[Context]:
        """The contexts a function is reported in: its callers' in this file, and in other files. A
        kernel of another language (``@ti.kernel``) is walked with its parameters unknown."""
        if function.decorators and compiled_kernel(function, self.silent_eval):
            return []
        recorded = list(self.calls.contexts.get(id(function), []))
        if qualname is not None:
            recorded += self.foreign_contexts.get(qualname, [])
        contexts = [c for c in recorded if not says_nothing(c, cls)]
        if not contexts and recorded:
            # every call passes only unknowns: one walk, with the callers' grad modes joined
            return [join_contexts(recorded)]
        if len(contexts) > MAX_CONTEXTS:
            return joined_per_mode(contexts, MAX_CONTEXTS)
        return contexts
