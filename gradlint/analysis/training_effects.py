"""What training calls do to the walk's state: backward, optimizer steps, gradient clears,
mode switches.

``loss.backward()`` proves its receiver requires grad, frees the graph it went through and
clears the saved tensors of the step; ``optimizer.step()`` writes the parameters it owns
in place, so graphs that saved them go stale; ``zero_grad()`` clears the gradients of the
optimizers over a module. Loop records keep each event for the loop rules.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .call_shapes import GRAPH_KEEPING_KEYWORDS
from . import torch_api as api
from .evidence import PROVEN_GRAD
from .module_aliases import made_from, other_module_names
from .fixed_flags import contradicts
from .usage_scans import own_calls_non_tensor_method
from .submodule_modes import switch_submodules
from .entry_switches import EntrySwitches
from .element_clears import cleared_owners
from .member_loops import alias_path
from .syntax import base_path, dotted, function_facts, kwarg, literal_bool, literal_key
from .values import Value, tensor


class TrainingEffects(EntrySwitches):
    """Backward, step, clear and mode-switch events of the walk (a mixin of the analyzer)."""

    def _record_step(self, node: cst.Call, optimizer_node, optimizer: Value) -> None:
        self._training_ran()
        self._note_untrained_step(optimizer)
        path = self._field_alias(dotted(optimizer_node))
        for record in self._loops:
            record.steps.append((node, path, optimizer))
        if optimizer.qual != api.SELECTED_PARAMETERS:
            # a selection of the owners' parameters (`param_groups`): which of them it writes is not known
            for owner in optimizer.owners or (optimizer.owner,):
                self._mark_stale(owner)
        if optimizer.owner is None and not optimizer.owners and optimizer.qual != api.SELECTED_PARAMETERS:
            self._step_of_unknown_owner(path)
        key = (path, optimizer.owner)
        if path is None:
            return
        loop = self._loops[-1] if self._loops else None
        if loop is not None and key in self.state.armed and not self._stepped_on_other_side(key):
            if self._cond_depth == loop.depth:
                loop.repeated_steps.append((node, path, optimizer))
            else:
                loop.conditional_repeats.append((node, path, optimizer))
        self.state.stepped = self.state.stepped | {key}
        self._note_step_sides({key})
        self.state.armed = self.state.armed - {key}
        self.state.steps_done = self.state.steps_done | {key}

    def _stepped_on_other_side(self, key) -> bool:
        """The earlier step of ``key`` was taken on the other side of a flag fixed for the function
        (``if args.fp16: scaler.step(opt)`` before, ``else: opt.step()`` now): not one path."""
        if not self.state.step_sides or not self._flag_sides:
            return False
        return contradicts([(flag, side) for stepped, flag, side in self.state.step_sides if stepped == key], self._flag_sides)

    def _note_step_sides(self, keys) -> None:
        """The keys were stepped here: on the sides of the fixed flags the walk is inside."""
        kept = frozenset(side for side in self.state.step_sides if side[0] not in keys)
        if self._flag_sides:
            kept |= frozenset((key, flag, side) for key in keys for flag, side in self._flag_sides)
        self.state.step_sides = kept

    def _field_alias(self, path: Optional[str]) -> Optional[str]:
        """``path`` spelt from the ``self`` field its head name stands for in this method: a name
        stored into that field (``d = Discriminator(); self.add_module("d", d)``, a constructor's
        ``self.model = model``) or read from it (``model = self.model``). An optimizer built over
        ``model.parameters()`` then trains what other methods know as ``self.model``, and
        ``model.zero_grad()`` clears it."""
        if path is None or self.function is None or "self" not in self.state.env:
            return path
        head, dot, rest = path.partition(".")
        facts = function_facts(self.function)
        attr = facts.field_aliases.get(head)
        if attr and dot and head in facts.wrapped_aliases:
            return path  # `d.conv` of a DataParallel is not the field's `conv`
        return f"self.{attr}{dot}{rest}" if attr else self.same_object(path)

    def same_object(self, path: Optional[str]) -> Optional[str]:
        """The ``self`` field a path of this function names when its head is a local copy of that
        field (``model = self.model``: ``model.encoder`` is ``self.model.encoder``), else the path."""
        if path is None or self.function is None:
            return path
        head, dot, rest = path.partition(".")
        read = function_facts(self.function).field_locals.get(head)
        if read is None:
            return path
        attr, rewraps = read
        if not rewraps:
            return f"self.{attr}{dot}{rest}"
        # `model = DataParallel(model)`: a wrapper runs, switches and clears the module it wraps,
        # but its own attributes are not the module's (`model.module`)
        if dot or not all(self._wraps_module(call) for call in rewraps):
            return path
        return f"self.{attr}"

    def _wraps_module(self, call: cst.Call) -> bool:
        callee = self.value(call.func)
        return callee.kind == "ref" and api.canonical(callee.qual) in api.MODULE_WRAPPERS

    def _other_names(self, path: Optional[str]) -> list:
        """The other paths of this function that name the object at ``path`` (its field, or the
        local copies of it): an ``eval()`` through one of them switches the others too."""
        if path is None or self.function is None:
            return []
        field = self.same_object(path)
        names = [field] if field != path else []
        if field.startswith("self."):
            head, dot, rest = field[5:].partition(".")
            for name in function_facts(self.function).field_locals:
                copy = f"{name}{dot}{rest}"
                if self.same_object(copy) == field:
                    names.append(copy)
        return [name for name in names if name != path]

    def _clear_path(self, owner: Optional[str]) -> None:
        """Gradients of ``owner``'s parameters (all of them: None) are cleared on this path."""
        if owner is None:
            self.state.stepped = self.state.armed = self.state.step_sides = frozenset()
            return
        self.state.stepped = frozenset(
            (path, module)
            for path, module in self.state.stepped
            # an optimizer over parameters of unknown owner may be cleared by any module's zero_grad()
            if module is not None and path != owner and module != owner and not module.startswith(owner + ".")
        )
        self.state.armed = self.state.armed & self.state.stepped
        if self.state.step_sides:
            self.state.step_sides = frozenset(side for side in self.state.step_sides if side[0] in self.state.stepped)

    def _mark_stale(self, owner: Optional[str]) -> None:
        """A step writes the parameters of ``owner`` in place: graphs that saved them cannot backward any more."""
        if owner is None or self.state.mode is False:
            return
        state = self.state
        stale = [
            name
            for name, value in state.env.items()
            if value.kind == "tensor" and any(s == owner or s.startswith(owner + ".") for s in value.saved_params)
        ]
        if stale:
            state.stale = state.stale.union(stale)
            for name in stale:
                state.env[name] = state.env[name].with_(stale=True)
        _mark_stale_items(state, lambda value: any(s == owner or s.startswith(owner + ".") for s in value.saved_params))

    def _step_of_unknown_owner(self, path: Optional[str]) -> None:
        """``opt.zero_grad(); loss.backward(); opt.step()`` with ``opt``'s parameters unknown (a
        function's parameter: ``def train_step(G, D, opt_g, opt_d, ...)``). After its ``zero_grad()``
        the optimizer's parameters have no gradient but the ones the backward()s since gave them, and
        a step leaves a parameter without gradient alone: so the step updates parameters of the
        modules those graphs saved (``State.reached``), some of them at least, maybe not all. A graph
        that saved parameters of every one of those modules (``g_loss`` through ``D(G(z))`` after
        ``d_loss`` through ``D(real)`` and ``D(fake)``) saved whichever the step updated: its
        backward() raises. A graph missing one of them may have missed what was updated: unknown.
        (Module-wise, as for an optimizer over ``G.parameters()``: an optimizer over G's biases
        alone, which no graph saves, would update none of what the graph needs. An optimizer built
        here over chosen parameters, ``filter(lambda p: p.ndim > 1, G.parameters())``, shows such a
        choice: its step is not inferred.)"""
        if path is None or self.state.mode is False:
            return
        modules = next((modules for cleared, modules in self.state.reached if cleared == path), None)
        if not modules:
            return
        state = self.state
        stale = [
            name
            for name, value in state.env.items()
            if value.kind == "tensor" and value.saved_params and all(_saved(value.saved_params, m) for m in modules)
        ]
        if stale:
            state.stale = state.stale.union(stale)
            for name in stale:
                state.env[name] = state.env[name].with_(stale=True)
        _mark_stale_items(state, lambda value: value.saved_params and all(_saved(value.saved_params, m) for m in modules))

    def _note_clear(self, path: Optional[str]) -> None:
        """``path.zero_grad()`` of an optimizer: nothing reached its parameters since (``State.reached``)."""
        if path is None:
            return
        kept = frozenset(pair for pair in self.state.reached if pair[0] != path)
        self.state.reached = kept | {(path, frozenset())}

    def _note_reached(self, receiver_node) -> None:
        """A backward() of ``receiver_node``: the optimizers cleared before it may now hold gradients
        of the modules its graph saved; of unknown modules when that is not known (or when knowing
        it would mean evaluating a call again: ``self.compute_loss().backward()``)."""
        state = self.state
        if isinstance(receiver_node, cst.Call) and not self._is_scaled(receiver_node):
            state.reached = frozenset()
            return
        value = self.value(receiver_node)
        if value.kind != "tensor" or value.grad is not True or not value.saved_params:
            state.reached = frozenset()
            return
        state.reached = frozenset((path, modules | value.saved_params) for path, modules in state.reached)

    def _reached_steps(self, receiver_node) -> frozenset:
        """The optimizers stepped since their last clear whose parameters a ``backward()`` of
        ``receiver_node`` is known to give gradients: those over the modules its graph went through,
        and those whose parameters are not known (any graph may reach them). A backward whose graph
        is not known to reach a stepped module (a critic's loss after the generator's step, the
        generator's own clear and backward being in an inner loop that may run no iteration) does
        not make that module's next step add new gradients to old ones."""
        value = self.value(receiver_node) if not isinstance(receiver_node, cst.Call) else None
        through = value.through if value is not None and value.kind == "tensor" else frozenset()

        given = _parameter_names(self.function) if self.function is not None else frozenset()

        def reached(path: str, owner: Optional[str]) -> bool:
            if owner is None or path.partition(".")[0] in given:
                # parameters of unknown owner, or an optimizer passed in, whose owner is named in
                # its caller's scope (`train(net, SGD(net.parameters()))`: `model` here)
                return True
            return any(m == owner or m.startswith(owner + ".") or owner.startswith(m + ".") for m in through)

        return frozenset((path, owner) for path, owner in self.state.stepped if reached(path, owner))

    def _clear_optimizer(self, receiver_node, optimizer: Value) -> None:
        for owner in cleared_owners(receiver_node, optimizer, self.module_node):
            self._clear_grads(owner)

    def _clear_grads(self, owner: Optional[str]) -> None:
        # `model.zero_grad()` with `model = self.model` clears what an optimizer over `self.model` steps:
        # the field's name first (optimizers name their owner so), then the other names of the object
        owner = self._field_alias(owner)
        owners = [owner] + self._other_names(owner)
        if owner is not None and "." not in owner:
            # `dp = nn.DataParallel(model)`: `dp.zero_grad()` clears the parameters of `model`
            aliases = other_module_names(owner, self.function, self.module_node)
            aliases += made_from(owner, self.function, self.module_node)
            owners += [n for n in dict.fromkeys(aliases) if n not in owners]
        for record in self._loops:
            record.clears.extend(owners)
        for path in owners:
            self._clear_path(path)
        state = self.state
        state.scaled = False
        state.no_grads = True
        if owner is not None and state.cleared is not None:
            state.cleared = state.cleared | set(owners)

    def _switch_mode(self, node: cst.Call, path: Optional[str], module: Value) -> None:
        """``path.eval()`` / ``path.train()`` made ``module``: every name of that object has it now,
        and the loops record the switch in field terms (a method's ``model = self.model;
        model.eval()`` switches its caller's ``self.model``)."""
        if path is not None and self._member_aliases:
            # `for net in [netG, netD]: net.eval()` switches `netG`, then `netD` (``member_loops``)
            member = alias_path(self._member_aliases, path)
            if member != path:
                self.state.env[path] = module
                path = member
        if path is not None and path.endswith(".module"):
            wrapper = self.lookup(path[: -len(".module")])
            if wrapper is not None and wrapper.kind == "module" and (wrapper.cls is None or "module" not in wrapper.cls.attrs):
                # `net.module.eval()` of a DataParallel/DDP `net`: the wrapped model is what `net(x)` runs
                path = path[: -len(".module")]
        if path is not None:
            names = [path] + self._other_names(path)
            if "." not in path:
                # `parallel_model = model.cuda()` / `nn.DataParallel(model)`: the same module object
                names += [n for n in other_module_names(path, self.function, self.module_node) if n not in names]
            for name in names:
                self.state.env[name] = module
                switch_submodules(self.state.env, name, module.training)
        self._switch_dict_entries(node.func.value, path, module.training)
        for record in self._loops:
            record.mode_switches.append((node, self.same_object(path), module.training))

    def _prove_backpropagated(self, receiver_node) -> None:
        """``x.backward()`` raises unless ``x`` requires grad: from here on it does (see evidence.py).
        So does the loss of ``with amp.scale_loss(loss, opt) as x``, and a dict or structure ``out``
        whose ``out["loss"]`` was backpropagated keeps that entry's graph."""
        if self._other_framework():
            return  # paddle's `loss.backward()` proves nothing about torch's autograd (``other_frameworks``)
        if isinstance(receiver_node, cst.Name):
            for name in (receiver_node.value, self._scaled_by_context(receiver_node.value)):
                # not a name that holds an object with methods no tensor has (its own backward())
                foreign = name is not None and self.function is not None and own_calls_non_tensor_method(self.function, name)
                if name is not None and _unresolved(self.lookup(name)) and not foreign:
                    self.state.env[name] = PROVEN_GRAD
            return
        # only a literal entry of a local dict: `trainer.loss.backward()` says nothing of what `trainer` is
        if not isinstance(receiver_node, cst.Subscript) or not isinstance(receiver_node.value, cst.Name):
            return
        container, key = receiver_node.value, literal_key(receiver_node)
        if key is None or container.value in ("self", "cls"):
            return
        name = container.value
        current = self.lookup(name)
        if current is not None and current.kind == "dict" and key in current.keys:
            items = tuple(PROVEN_GRAD if k == key and _unresolved(v) else v for k, v in zip(current.keys, current.items))
            self.state.env[name] = current.with_(items=items)
        elif current is None or current.kind == "unknown" or (
            current.kind == "tensor" and current.struct and current.grad is not False and not current.has_grad
        ):
            # `loss = compute_loss(...)` (a dict of its terms) then `loss["loss"].backward()`
            deps, through = (current.deps, current.through) if current is not None else (frozenset(), frozenset())
            self.state.env[name] = tensor(True, False, struct=True, has_grad=True, deps=deps, through=through)

    def _scaled_by_context(self, name: str) -> Optional[str]:
        """``loss`` when ``name`` is bound by an enclosing ``with amp.scale_loss(loss, optimizer) as
        name:`` (apex): backpropagating the scaled loss proves the loss requires grad too."""
        for level in range(len(self._blocks) - 1, 0, -1):
            statements, index = self._blocks[level - 1]
            parent = statements[index]
            if not isinstance(parent, cst.With):
                continue
            for item in parent.items:
                call, alias = item.item, item.asname
                if (
                    alias is not None
                    and isinstance(alias.name, cst.Name)
                    and alias.name.value == name
                    and isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "scale_loss"
                    and call.args
                    and isinstance(call.args[0].value, cst.Name)
                ):
                    return call.args[0].value.value
        return None

    def _backward(self, node: cst.Call, receiver_node) -> None:
        path = base_path(receiver_node)
        if self.state.mode is True:
            self._prove_backpropagated(receiver_node)
        for record in self._loops:
            record.backwards.append((node, path))
        self._training_ran()
        self._note_untrained_backward(receiver_node)
        self._emit("on_backward", node, receiver_node)
        state = self.state
        state.saved = frozenset()
        state.cleared = frozenset()
        state.armed = state.armed | self._reached_steps(receiver_node)
        state.scaled = state.scaled or self._is_scaled(receiver_node)
        state.no_grads = False
        if state.reached:
            self._note_reached(receiver_node)
        self._free_graph(node, receiver_node)

    def _is_scaled(self, receiver_node) -> bool:
        """``scaler.scale(loss)`` with a scaler that scales, or does when enabled (``enabled=args.amp``:
        the code is written for that configuration too)."""
        if not (isinstance(receiver_node, cst.Call) and isinstance(receiver_node.func, cst.Attribute)):
            return False
        if receiver_node.func.attr.value != "scale":
            return False
        scaler = self.value(receiver_node.func.value)
        if scaler.kind == "unknown" and scaler.unless_none is not None:
            # a GradScaler or None (``GradScaler() if use_amp else None``): on None, ``.scale()`` raises
            scaler = scaler.unless_none
        return scaler.kind == "scaler" and scaler.mode is not False

    def _free_graph(self, node: cst.Call, receiver_node, behind: frozenset = frozenset(), value=None) -> None:
        """The graph of ``receiver_node`` (whose ``value`` the caller may know) is freed, except the
        graphs ``behind`` the inputs an ``autograd.grad`` stops at (never walked, so never freed)."""
        for name in GRAPH_KEEPING_KEYWORDS:
            flag = kwarg(node, name)
            if flag is not None and literal_bool(flag.value) is not False:
                return  # kept (or maybe kept) for another backward
        if value is None:
            value = self.value(receiver_node)
        path = base_path(receiver_node)
        freed = value.deps | ({path} if path else frozenset())
        if path and isinstance(receiver_node, (cst.Subscript, cst.Attribute)) and _holds_separate_tensors(self.lookup(path)):
            # `losses["d"].backward()` frees the graph of that entry, not of its siblings (`losses["g"]`
            # is backpropagated next, through graphs of its own)
            freed = freed - {path}
        freed = freed - behind
        if freed:
            self.state.freed = self.state.freed | freed


def _saved(saved_params: frozenset, module: str) -> bool:
    """Whether a graph that saved parameters of ``saved_params`` saved all of ``module``'s."""
    return any(module == s or module.startswith(s + ".") for s in saved_params)


def _unresolved(current: Optional[Value]) -> bool:
    return current is None or current.kind == "unknown" or current.kind == "tensor" and current.grad is None


def _holds_separate_tensors(container: Optional[Value]) -> bool:
    """A dict, a sequence or a structure (a model output): its entries have graphs of their own."""
    return container is not None and (container.kind in ("dict", "seq") or container.kind == "tensor" and container.struct)


def _parameter_names(function: cst.FunctionDef) -> frozenset:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return frozenset(param.name.value for param in every)


def _mark_stale_items(state, saved_updated) -> None:
    """The losses a dict holds (``losses = compute_losses(G, D, x)``, then ``losses["g"].backward()``
    after the step of D's optimizer: Vid-ODE #6) go stale with their graphs, item by item: the dict's
    other items (``losses["d"]``, backpropagated before the step) stay usable."""
    for name, value in list(state.env.items()):
        if value.kind != "dict" or not value.items:
            continue
        items = tuple(
            item.with_(stale=True) if item.kind == "tensor" and not item.stale and saved_updated(item) else item
            for item in value.items
        )
        if any(new is not old for new, old in zip(items, value.items)):
            state.env[name] = value.with_(items=items)
