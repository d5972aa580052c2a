"""Binding values to names, attributes, subscripts and loop targets."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import libcst as cst

from . import torch_api as api
from .arguments import parameters
from .member_loops import alias_path
from .filled_buffers import filled
from .state import Env, FreezeEvent, holds_under
from .thawed_modules import thaw_enclosing, unfrozen_params
from .syntax import base_path, dotted, function_facts, literal_bool, literal_int, literal_key, member_index, member_path
from .values import NUMBER, UNKNOWN, Tri, Value, mapping, member_of, output_part, ref, seq, tensor
from .value_paths import add_deps, all_deps, argument_paths, library_module


class Bindings:
    """Writes into the state: assignment targets, loop targets and requires_grad changes."""

    def _set(self, path: str, value: Value) -> None:
        self._kill(path)
        if path not in self._same_objects:
            for record in self._loops:
                record.bound.add(path)
        state = self.state
        # a new value under this name: what was saved or freed was the old one's, unless
        # the new one is built on the old graph (`h = cell(x, h)` after backward())
        if path in state.saved:
            state.saved = state.saved - {path}
        if path in state.freed and path not in all_deps(value):
            state.freed = state.freed - {path}
            # stored as a new object: a join tells a path that rebound the name from one that kept the
            # freed graph by identity (State.join), and an element of a list (`for lp in saved_log_probs`)
            # is the same object in every iteration
            value = value.with_()
        state.env[path] = value
        if self._init_stores is not None and path.startswith("self.") and path.count(".") == 1:
            self._init_stores.setdefault(path[5:], []).append(value)
        if path in state.stale:
            state.stale = state.stale - {path}
        # `outputs = model(batch)` after `outputs.loss.backward()`: the old object's parts go too
        prefix = path + "."
        for facts in ("saved", "freed", "stale"):
            current = getattr(state, facts)
            if current and holds_under(current, path):
                setattr(state, facts, frozenset(entry for entry in current if not entry.startswith(prefix)))
        if state.mode is True and (value.saves_self and (value.grad or value.cut) or _elements_saved(value)):
            state.saved = state.saved | {path}

    def _kill(self, path: str) -> None:
        if self._rebound_at is not None:
            self._note_rebound(path)
        if self._pending_freezes:
            self._drop_pending(path)
        env = self.state.env
        if isinstance(env, Env) and not env.has_under(path):
            return
        prefix = path + "."
        stale = [key for key in env if key.startswith(prefix)]
        for key in stale:
            del env[key]

    def _prepare_target(self, target: cst.BaseExpression) -> None:
        """Evaluate the objects an assignment target writes into, so rules can ask."""
        if type(target) is cst.Attribute:
            self.eval(target.value)
        elif type(target) is cst.Subscript:
            self.eval(target.value)
            for element in target.slice:
                self._generic(element)
        elif type(target) in (cst.Tuple, cst.List):
            for element in target.elements:
                self._prepare_target(element.value)

    def _bind(self, target: cst.BaseExpression, value: Value, value_node) -> None:
        if type(target) is cst.Name:
            self._set(target.value, value)
        elif type(target) is cst.Attribute:
            path = dotted(target)
            if path is None and target.attr.value == "requires_grad":
                self._forget_members(target.value)
            if path is not None:
                if target.attr.value == "requires_grad":
                    self._requires_grad_set(target.value, self._flag(value_node, value), target)
                elif target.attr.value == "grad":
                    self._clear_grads(None)
                self._part_replaced(dotted(target.value))
                self._layer_placed(dotted(target.value), value, target.attr.value)
                self._set(path, value)
                if type(value_node) is cst.Call and self.value(value_node.func).qual == "torch.nn.Parameter":
                    self._parameter_replaced(dotted(target.value), value)
        elif type(target) is cst.Subscript:
            self._layer_placed(dotted(target.value), value, _literal_position(target))
            self._bind_subscript(target, value, value_node)
        elif type(target) in (cst.Tuple, cst.List):
            element = value.elem if value.kind == "seq" and value.elem is not None else self._element_of(value, None)
            if value.kind == "seq" and len(value.items) == len(target.elements):
                if not any(type(item) is cst.StarredElement for item in target.elements):
                    siblings = [dotted(item.value) for item in target.elements]
                    for index, (item, item_value) in enumerate(zip(target.elements, value.items)):
                        if type(value_node) is cst.Call:
                            # outputs of one call share its graph: a backward() through one frees the others'
                            shared = self._graph_siblings(value_node, index, siblings)
                            # `out, h = self.rnn(x, h)`, a library module (it never detaches): the new
                            # `h` is built on the graph the old one held (the project's own functions
                            # say so through their summaries' return deps)
                            if library_module(self.value(value_node.func)):
                                shared |= {siblings[index]} & argument_paths(value_node)
                            item_value = add_deps(item_value, shared)
                        self._bind(item.value, item_value, None)
                    return
            for item in target.elements:
                inner = item.value
                self._bind(inner, UNKNOWN if type(item) is cst.StarredElement else element, None)
        elif type(target) is cst.StarredElement:
            self._bind(target.value, UNKNOWN, None)

    def _kept_through_unresolved_call(self, node: cst.Assign) -> dict:
        """``model, optimizer, epoch = load_checkpoint(path, model, optimizer)`` of a call nothing
        resolves (a helper of a package that is not there, ``amp.initialize(model, opt)``): a name
        unpacked from the result that the call was also given still holds a module (an optimizer):
        load, wrap and restore helpers give back what they are given, loaded or wrapped, and a name
        does not change kind there. Which mode the module is in is not known (a loader may build a
        fresh one); an optimizer keeps what it steps. Only an unpacked tuple: a single result
        (``model = copy.deepcopy(model)``) may be another object."""
        call = node.value
        if len(node.targets) != 1 or type(call) is not cst.Call:
            return {}
        target = node.targets[0].target
        if type(target) not in (cst.Tuple, cst.List) or self.value(call.func).kind not in ("unknown", "ref"):
            return {}
        given = {arg.value.value for arg in call.args if type(arg.value) is cst.Name and not arg.star}
        kept = {}
        for element in target.elements:
            name = element.value.value if type(element.value) is cst.Name else None
            if name not in given or type(element) is cst.StarredElement:
                continue
            current = self.state.env.get(name)
            if current is not None and current.kind == "module":
                kept[name] = current.with_(training=None)
            elif current is not None and current.kind == "optimizer":
                kept[name] = current
        return kept

    def _graph_siblings(self, call: cst.Call, index: int, siblings: list) -> frozenset:
        """The names bound to the other outputs of ``call`` that share the graph of output
        ``index``: all of them for a library call (an LSTM's ``out, hidden``); for a function
        of the project, only those its summary shows built from a common graph value
        (``loss_d, loss_g = compute_losses(...)`` built apart share nothing)."""
        own = siblings[index]
        if id(call) not in self.output_sharing:
            return frozenset(p for p in siblings if p and p != own and p != "_")
        pairs = self.output_sharing[id(call)] or frozenset()
        return frozenset(
            p for other, p in enumerate(siblings) if p and p != own and p != "_" and (min(index, other), max(index, other)) in pairs
        )

    def _bind_subscript(self, target: cst.Subscript, value: Value, value_node=None) -> None:
        path = dotted(target.value)
        if path is None and type(target.value) is cst.Subscript:
            # fx[i][j] = v writes into fx too
            path = base_path(target.value)
            container = self.lookup(path) if path else None
            if container is not None and container.kind == "tensor":
                self._fill(path, container, value, value_node)
            return
        if path is None:
            return
        if value.kind == "module" and self._store_member(path, target, value):
            return
        container = self.lookup(path)
        if container is None:
            return
        if container.kind == "dict":
            key = literal_key(target)
            if key is not None and key in container.keys:
                items = tuple(value if k == key else v for k, v in zip(container.keys, container.items))
                self.state.env[path] = container.with_(items=items)
            elif key is not None:
                self.state.env[path] = mapping(container.keys + (key,), container.items + (value,))
            else:
                self.state.env[path] = Value(kind="dict")
        elif container.kind == "seq":
            self.state.env[path] = seq([container.elem, value] if container.elem is not None else [value])
        elif container.kind == "tensor" and container.struct and container.has_grad:
            self._part_replaced(path)
        elif container.kind == "tensor":
            self._fill(path, container, value, value_node)

    def _store_member(self, path: str, target: cst.Subscript, value: Value) -> bool:
        """``model.features[0] = nn.Conv2d(...)`` into an ``nn.Sequential``/``nn.ModuleList``: the
        member at that literal position is now that module (``member_path``), whatever the
        container held; ``model.features[0].weight`` then reads its parameter."""
        index = literal_int(target.slice[0].slice.value) if len(target.slice) == 1 and isinstance(
            target.slice[0].slice, cst.Index
        ) else None
        container = self.value(target.value)
        if index is None or container.kind != "module" or (container.qual or "").rsplit(".", 1)[-1] not in api.MODULE_CONTAINERS:
            return False
        # a negative position may name the same member as a positive one: forget those of the other sign
        for key in [k for k in self.state.env if k.startswith(path + ".") and member_index(k, path) is not None]:
            if (member_index(key, path) < 0) != (index < 0):
                del self.state.env[key]
        self.state.env[member_path(path, index)] = value
        return True

    def _layer_placed(self, owner: Optional[str], value: Value, attr: Optional[str] = None) -> None:
        """``model.fc = nn.Linear(...)`` / ``model.features[-1] = nn.Conv2d(...)`` after ``model`` was
        frozen whole: the new layer trains, so the model (and each module above the slot) has
        trainable parameters again (known when the layer's are, else maybe), in those slots only
        (``Value.placed``, paths below each module: an optimizer over ``model.fc`` then covers all
        that trains). A layer without parameters put in such a slot (``nn.Identity()``) takes its
        place: a module whose placed layers are all gone is frozen whole again."""
        if owner is None or value.kind != "module":
            return
        parts = owner.split(".") + ([attr] if attr else [])
        for depth in range(len(parts) - (1 if attr else 0), 0, -1):
            path = ".".join(parts[:depth])
            module = self.state.env.get(path)
            below = ".".join(parts[depth:])
            if module is None or module.kind != "module":
                continue
            if value.params is False:
                left = frozenset(p for p in module.placed if not (p == below or p.startswith(below + ".")))
                if attr and left != module.placed:
                    self.state.env[path] = module.with_(placed=left, params=module.params if left else False)
            elif module.params is False or module.placed:
                slot = frozenset({below}) if below else frozenset()
                self.state.env[path] = module.with_(params=True if value.params is True else None, placed=module.placed | slot)

    def _forget_members(self, root) -> None:
        """What ``_store_member`` recorded below ``root`` (a path, or the node of ``model[0].weight``)
        no longer holds: the members were frozen, or moved (``insert``, ``pop``)."""
        if not isinstance(root, str):
            node, root = root, None
            while type(node) in (cst.Attribute, cst.Subscript):
                if type(node) is cst.Subscript and dotted(node.value) is not None:
                    root = dotted(node.value)
                node = node.value
            if root is None:
                return
        for key in [k for k in self.state.env if k.startswith(root + ".")]:
            if any(part.lstrip("-").isdigit() for part in key[len(root) + 1 :].split(".")):
                del self.state.env[key]

    def _parameter_replaced(self, owner, value: Value) -> None:
        """``self.conv.weight = nn.Parameter(w, requires_grad=False)``: a parameter of the module at
        ``owner`` replaced by a Parameter that does not train (a fixed random feature extractor), as if
        ``self.conv.weight.requires_grad = False``: the module is no longer known to train."""
        module = self.lookup(owner) if owner else None
        if module is None or module.kind != "module" or value.kind != "tensor" or value.grad is not False:
            return
        if value.leaf is False or value.struct:
            return
        # a layer whose every parameter is replaced so (`weight` and `bias`; an embedding's `weight`)
        # is frozen whole; any other, only in part (its other parameters may still train)
        names = ("weight",) if module.qual.rsplit(".", 1)[-1] == "Embedding" else ("weight", "bias")
        whole = api.has_weight_and_bias(module.qual) and all(
            _frozen_tensor(self.state.env.get(f"{owner}.{name}")) for name in names
        )
        self._freeze(FreezeEvent(owner, whole, False, self.statement or module, self._always(False)))

    def _part_replaced(self, path) -> None:
        """A field of the structure at ``path`` was replaced (``output["loss"] = loss.detach()``):
        the field a ``backward()`` proved may no longer be what carries the graph."""
        container = self.lookup(path) if path else None
        if container is not None and container.kind == "tensor" and container.struct and container.has_grad:
            self.state.env[path] = container.with_(has_grad=None)

    def _fill(self, path: str, container: Value, value: Value, value_node=None) -> None:
        new = filled(container, value, value_node, self.state.mode)
        if new is not None:
            self.state.env[path] = new

    def _bind_loop_target(self, target, element: Value, iterable: Value) -> None:
        if iterable.kind == "enumerate" and type(target) is cst.Tuple and len(target.elements) == 2:
            self._bind(target.elements[0].value, NUMBER, None)
            self._bind(target.elements[1].value, iterable.elem or UNKNOWN, None)
            return
        self._bind(target, element, None)

    def _element_of(self, iterable: Value, node) -> Value:
        if iterable.kind == "params":
            return _named(iterable, tensor(iterable.grad, True))
        if iterable.kind == "modules":
            return _named(iterable, Value(kind="module", params=None))
        if iterable.kind == "seq" and iterable.elem is not None:
            return iterable.elem
        if iterable.kind == "module" and iterable.qual.rsplit(".", 1)[-1] in api.MODULE_CONTAINERS:
            # a ModuleDict gives its keys, like a dict (its sub-modules come from values() and items())
            return UNKNOWN if iterable.qual.endswith("ModuleDict") else member_of(iterable, None)
        if iterable.kind == "ref" and iterable.qual in api.MPL_AXES_ARRAYS:
            return ref(api.MPL_AXES)
        if iterable.kind == "number" and iterable.cut:
            # rows and items of a numpy array taken out of a graph tensor (`for row in out.detach().numpy()`):
            # plain values, cut out of that graph as the array is
            return iterable
        if iterable.kind == "tensor" and not iterable.struct:
            # rows of a tensor: views that carry its graph
            return tensor(iterable.grad, False if iterable.grad else None, cut=iterable.cut)
        if iterable.kind == "tensor" and iterable.grad is False:
            # a part of a structure none of whose tensors requires grad (a batch, an output under no_grad)
            return tensor(False, iterable.leaf, struct=True, cut=iterable.cut)
        # one of the outputs of a model that carries a graph, or UNKNOWN
        return output_part(iterable)

    def _flag(self, node, value: Value) -> Tri:
        """A literal ``True``/``False``, or a parameter of the function given one: a helper's
        ``requires_grad`` argument at the call being followed (``set_requires_grad(nets, False)``).
        Any other name stays unknown: a setting the user may change (``train_backbone = False``)."""
        flag = literal_bool(node)
        if flag is not None or type(node) is not cst.Name or self.function is None:
            return flag
        name = node.value
        if value.kind != "number" or value.mode is None or name in function_facts(self.function).rebound:
            return None
        return value.mode if any(param.name.value == name for param in parameters(self.function)) else None
        return None

    def _requires_grad_set(self, obj_node, requires_grad: Tri, node) -> None:
        """``X.requires_grad = v`` / ``X.requires_grad_(v)`` on a parameter or module."""
        obj = self.value(obj_node)
        path = dotted(obj_node)
        if obj.kind == "module" and type(node) is cst.Attribute:
            self._module_flag_targets.add(id(node))
        if obj.kind == "tensor" and type(obj_node) is cst.Name and self._param_loops:
            name, owner, depth, loop = self._param_loops[-1]
            if name == obj_node.value and owner is not None:
                self.state.env[name] = obj.with_(grad=requires_grad)
                whole = depth == self._cond_depth
                unconditional = whole and (depth == 1 or requires_grad is False and depth - self._true_arms == 1)
                self._freeze(FreezeEvent(owner, whole, requires_grad, loop if whole else node, unconditional, node))
                return
        if path is None:
            self._forget_members(obj_node)
        if obj.kind == "tensor" and path is not None:
            self.state.env[path] = _flagged(obj, requires_grad, type(node) is cst.Attribute)
            if "." in path:
                owner = path.rsplit(".", 1)[0]
                self._freeze(FreezeEvent(owner, False, requires_grad, node, self._always(requires_grad)))

    def _always(self, requires_grad: Tri) -> bool:
        """Whether a ``requires_grad`` change made here happens whenever its scope runs. A freeze under
        tests this walk knows true (``if finetune:`` in ``build(True)``) does; an unfreeze a flag
        chose stays a choice (a loop over the parameters decides so in ``_requires_grad_set``)."""
        return self._cond_depth == 0 or requires_grad is False and self._cond_depth == self._true_arms

    def _freeze(self, event: FreezeEvent) -> None:
        if self._member_aliases:
            # a freeze of the name of a loop over a model's members is one of the member's (member_loops)
            event = replace(event, owner=alias_path(self._member_aliases, event.owner))
        root = event.owner
        self._forget_members(root)
        module = self.lookup(root)
        # frozen whole: nothing left to train; anything else: not known any more
        frozen = event.whole and event.requires_grad is False
        if module is not None and module.kind == "module":
            thawed = unfrozen_params(module) if event.whole and event.requires_grad is True else None
            self.state.env[root] = module.with_(params=False if frozen else thawed)
            if event.whole and event.requires_grad is True:
                thaw_enclosing(self.lookup, self.state.env, root, thawed)  # (``thawed_modules``)
        elif frozen and (module is None or module.kind == "unknown"):
            # only a module has parameters to freeze
            self.state.env[root] = Value(kind="module", params=False)
        if frozen:
            self._whole_freezes[id(event.node)] = (root, self.state.env.get(root))
        event = self._note_pending(event)
        if self._freeze_log is not None:
            self._freeze_log.append(event)
        self._emit("on_freeze", event.node, event)


def _flagged(obj: Value, requires_grad: Tri, assigned: bool) -> Value:
    """A tensor after ``X.requires_grad = v`` (``assigned``) or ``X.requires_grad_(v)``.

    The assignment raises on a non-leaf ("you can only change requires_grad flags of leaf
    variables"), so once ``X.requires_grad = True`` has run, ``X`` is a leaf that requires grad,
    also when it was computed by ops on tensors that required nothing (``torch.rand(3) / 10``, a
    leaf for torch) or is not known (checked, torch 2.13). ``requires_grad_()`` leaves a non-leaf
    that requires grad as it is: its value is computed in ``tensor_methods``."""
    if requires_grad is True and (obj.grad is False if not assigned else obj.grad is not True) and not obj.struct:
        # (``requires_grad_()`` of a tensor that requires nothing makes it a leaf too: any such tensor is one)
        return obj.with_(grad=True, leaf=True, cut=False, deps=frozenset())
    return obj.with_(grad=requires_grad)


def _frozen_tensor(value) -> bool:
    return value is not None and value.kind == "tensor" and value.grad is False and not value.struct


def _named(iterable: Value, member: Value) -> Value:
    """An element of ``named_parameters()`` / ``named_modules()`` is a ``(name, member)`` pair,
    wherever it goes: ``for (k, p), v in zip(model.named_parameters(), ...)`` unpacks the pair,
    not the rows of a tensor."""
    if iterable.qual != "named":
        return member
    return seq([UNKNOWN, member]).with_(items=(UNKNOWN, member))



def _elements_saved(value) -> bool:
    """A list every element of which an op saved (``laterals = [conv(f) for ...]`` with each ``conv``
    ending in a ``nn.ReLU()``): ``laterals[i - 1] += up`` writes into a saved output (NWPU-MOC #4)."""
    if value.kind != "seq":
        return False
    elements = list(value.items) if value.items else [value.elem] if value.elem is not None else []
    return bool(elements) and all(
        element is not None and element.kind == "tensor" and element.saves_self and element.grad for element in elements
    )


def _literal_position(target: cst.Subscript) -> Optional[str]:
    """``"6"`` for ``model.classifier[6]``: the slot a layer is stored in, when it is a literal position."""
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    index = literal_int(target.slice[0].slice.value)
    return None if index is None else str(index)
