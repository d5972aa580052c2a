"""What a walk of a project function tells its callers: contexts, summaries, their joins.

A *context* is one way a function is called (its parameters' values, the grad mode
at entry, the receiver); a *summary* is what one silent walk in one context found:
the value it returns and its effects on the caller (loop effects, optimizers left
stepped, containers changed in place, models switched or frozen). ``calls.Calls``
makes and replays them; the functions here decide what a walk's end state says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from itertools import combinations

import libcst as cst

from .flag_fields import set_flag
from .state import LoopRecord
from .syntax import base_path, free_names, function_facts
from .enum_members import ENUM
from .number_tests import NUM
from .values import STRING, UNKNOWN, ClassInfo, Tri, Value, join, join_all, join_tri
from .value_paths import add_deps, all_deps, without_paths

#: the marks of literal values in ``Value.qual``
LITERAL_PREFIXES = (STRING, NUM, ENUM)


@dataclass
class Context:
    """One way a function is called: its parameters' values and the grad mode at entry."""

    params: Dict[str, Value]
    mode: Tri
    receiver: Optional[Value] = None
    #: (field, value) of the receiver's models the caller switched since its constructor set them
    #: (``self.model.eval()`` then ``self._eval_step(batch)``), sorted by field
    fields: tuple = ()
    #: the caller's freezes under the arguments no training followed yet, in the parameters'
    #: names: ((path, whole, source of the freeze), ...), sorted (see ``inherited_freezes``)
    frozen: tuple = ()
    #: the parameters whose argument may hold a graph the caller's backward() freed (``return_deps``)
    freed: frozenset = frozenset()
    #: a caller in another file left its receiver (a model of this file's class) in this mode
    #: (``net.eval(); net.generate(x)``): its ``receiver`` is dropped there, the mode is not
    receiver_training: Optional[bool] = None
    #: the receiver's fields holding a graph the caller's backward() freed (``freed_fields``)
    freed_fields: frozenset = frozenset()

    def key(self) -> tuple:
        # built once: a context's fields and its params dict are never changed after it is made
        # (``dataclasses.replace`` makes a new one), and a call compares its context's key with
        # every context its callee already has
        key = self.__dict__.get("_key")
        if key is None:
            params = tuple(sorted(self.params.items(), key=lambda item: item[0]))
            key = self.__dict__["_key"] = (
                params, self.mode, self.receiver, self.fields, self.frozen, self.freed, self.receiver_training,
                self.freed_fields,
            )
        return key


@dataclass
class Summary:
    """What a silent walk of a function in one context found out."""

    returns: Value
    effects: LoopRecord
    #: ``self.<attr>`` values when the walk left the function
    fields: Dict[str, Value] = field(default_factory=dict)
    #: (optimizer path, owner) stepped and not cleared again when the function returns
    stepped: frozenset = frozenset()
    #: (optimizer path, owner) stepped on the way to every normal exit: a step under a condition
    #: of the function (``if update_grad: opt.step()``) is not in it
    steps_always: frozenset = frozenset()
    #: for a constructor: the instance it makes (one object per context, so that its
    #: methods' contexts match from one call to the next)
    instance: Optional[Value] = None
    #: parameter -> the list or dict it names when the function returns, for the
    #: containers the function changed in place (``history.append(loss)``)
    mutated: Dict[str, Value] = field(default_factory=dict)
    #: ``requires_grad`` changes on the parameters of the function's arguments (``FreezeEvent``)
    freezes: list = field(default_factory=list)
    #: for a function that returns a tuple: the pairs of positions whose graphs overlap on every
    #: return (see ``shared_outputs``); None when its returns are not all tuples of one length
    shared_outputs: Optional[frozenset] = None
    #: parameters the function backpropagated on every normal exit (``backprop_params``)
    proven: frozenset = frozenset()
    #: module-level containers (``global_stores``) the function put values into, as it left them
    globals_filled: Dict[str, Value] = field(default_factory=dict)
    #: what the function cleared (``opt.zero_grad()``) on every way through it, in its names, when it
    #: runs no backward and returns only at its end (see ``helper_clears``); else empty
    cleared: frozenset = frozenset()
    #: its parameters an op saved for backward on every normal exit (``helper_saves``)
    saved_args: frozenset = frozenset()
    #: it leaves gradients scaled by a GradScaler on every way through it (``helper_scaling``)
    scaled: bool = False
    #: parameters whose every load is a plain argument of a model call (``model_inputs``)
    fed: frozenset = frozenset()
    #: parameters whose graphs what it returns went through (``return_deps``)
    returns_from: frozenset = frozenset()
    #: the same per position, for a function whose every return (or yield) is a tuple of one length
    returns_by_position: tuple = ()
    #: fields of ``self`` holding a graph the function's backward() freed, as it returns (``freed_fields``)
    freed_fields: frozenset = frozenset()
    #: "X.Y" -> the list or dict the walk left in ``self.X.Y`` (``nested_fields``)
    nested_fields: Dict[str, Value] = field(default_factory=dict)
    #: parameters holding a freed graph (``Context.freed``) that the result is still built on: one
    #: set for the whole result, or one per position of the tuple it returns (``return_deps``)
    carries: tuple = ()
    #: freezes of the locals it returns, by position, that every return agrees on (``returned_freezes``)
    returned_freezes: tuple = ()
    #: (kind, paths) of its backward()s and steps that trained nothing of its arguments (``untrained_arguments``)
    untrained: tuple = ()


@dataclass
class CallTable:
    """Per-file bookkeeping of the interprocedural part."""

    summaries: Dict[tuple, Summary] = field(default_factory=dict)
    contexts: Dict[int, List[Context]] = field(default_factory=dict)
    active: List[int] = field(default_factory=list)
    walks: int = 0
    #: ids of the calls of the file's functions that a bound kept from being walked: their result is
    #: unknown, not that of an unresolved callable (``CallValues._proven_call``)
    refused: set = field(default_factory=set)
    #: calls the depth bound refused so far: a summary whose walk saw one is shallower than the walk
    #: of a caller nearer the top would make, so it is reused only as deep (``cached``)
    depth_refusals: int = 0
    #: key -> how many walks were active when a summary that hit the depth bound was made
    shallow: Dict[tuple, int] = field(default_factory=dict)

    def too_deep(self, bound: int) -> bool:
        if len(self.active) < bound:
            return False
        self.depth_refusals += 1
        return True

    def cached(self, key: tuple):
        """The summary made for ``key``, unless it was made deeper than this call with calls refused
        that this call can follow (``main -> fit -> validation_step -> infer`` refuses ``infer``; the
        reporting walk of ``fit`` need not)."""
        summary = self.summaries.get(key)
        made_at = self.shallow.get(key)
        if summary is not None and made_at is not None and len(self.active) < made_at:
            return None
        return summary

    def store(self, key: tuple, summary, refusals_before: int) -> None:
        self.summaries[key] = summary
        if self.depth_refusals != refusals_before:
            self.shallow[key] = len(self.active)
        else:
            self.shallow.pop(key, None)


def join_contexts(contexts: List[Context]) -> Context:
    names = set(contexts[0].params)
    for context in contexts[1:]:
        names &= set(context.params)
    params = {name: join_all(c.params.get(name, UNKNOWN) for c in contexts) for name in names}
    mode = contexts[0].mode
    receiver = contexts[0].receiver
    fields = contexts[0].fields
    frozen = set(contexts[0].frozen)
    receiver_training = contexts[0].receiver_training
    freed_fields = contexts[0].freed_fields
    for context in contexts[1:]:
        freed_fields &= context.freed_fields  # freed on every call
        mode = join_tri(mode, context.mode)
        receiver = join(receiver, context.receiver) if receiver is not None and context.receiver is not None else None
        fields = fields if fields == context.fields else ()
        frozen &= set(context.frozen)
        receiver_training = join_tri(receiver_training, context.receiver_training)
    return Context(
        params, mode, receiver, fields, tuple(sorted(frozen)), receiver_training=receiver_training, freed_fields=freed_fields
    )


def joined_per_mode(contexts: List[Context], limit: int) -> List[Context]:
    """Too many contexts for a walk each: joined per grad mode while that gives at most ``limit``
    walks, else all in one. A ``test()`` the training loop calls under no_grad and the script calls
    with grad on keeps what the grad-on callers establish (a joined mode would be unknown). Within
    the bound, contexts passing different literals stay apart too: ``test(net_bn, train=True)``,
    ``test(net_bn, train=False)``, ``test(net_plain, train=False)`` are walked as two, and the flag
    the function tests (``if train == False: model.eval()``) is still known in each."""
    by_mode: Dict[Tri, List[Context]] = {}
    by_literals: Dict[tuple, List[Context]] = {}
    for context in contexts:
        by_mode.setdefault(context.mode, []).append(context)
        literals = tuple(sorted((name, value) for name, value in context.params.items() if _literal(value)))
        by_literals.setdefault((context.mode, literals), []).append(context)
    if len(by_mode) > limit:
        return [join_contexts(contexts)]
    groups = by_literals if len(by_literals) <= limit else by_mode
    return [group[0] if len(group) == 1 else join_contexts(group) for group in groups.values()]


def _literal(value: Value) -> bool:
    """A flag, string, number, enum member or None passed as a literal: a test of it decides an arm."""
    return value.kind == "none" or value.kind == "number" and value.mode is not None or value.qual.startswith(LITERAL_PREFIXES)


def closure_key(closure: Optional[dict], function: cst.FunctionDef) -> tuple:
    """What a closure's summary depends on besides its arguments: the enclosing names it reads."""
    if closure is None:
        return ()
    return tuple(sorted((name, closure[name]) for name in free_names(function) if name in closure))


def mutated_containers(function: cst.FunctionDef, context: Context, env: dict) -> Dict[str, Value]:
    """Lists and dicts the caller passed that the function changed in place, and models it froze,
    unfroze or switched to eval/train mode (parameters never rebound in the function)."""
    mutated: Dict[str, Value] = {}
    for name, before in context.params.items():
        after = env.get(name)
        if before.kind not in ("seq", "dict", "module") or after is None or after.kind != before.kind:
            continue
        facts = function_facts(function)
        if name in facts.rebound:
            continue
        if before.kind in ("seq", "dict") and name in facts.changed:
            mutated[name] = without_paths(after)
        elif before.kind == "seq" and _switched_elements(before, after):
            mutated[name] = without_paths(after)
        elif before.kind == "module" and (after.params != before.params or after.training != before.training):
            mutated[name] = after
    return mutated


def _switched_elements(before: Value, after: Value) -> bool:
    """A list of models whose every element the function switched (``for m in models: m.eval()``)."""
    return (
        before.elem is not None and after.elem is not None and before.elem.kind == after.elem.kind == "module"
        and after.elem.training is not None and after.elem.training != before.elem.training
    )


def outer_modes(function: cst.FunctionDef, context: Context, env: dict, outer: dict) -> Dict[str, Value]:
    """Models of the enclosing scope (a closure's, or the module's globals) that the function
    switched to eval/train mode: ``def test(): model.eval() ...`` called from the training loop."""
    found: Dict[str, Value] = {}
    rebound = function_facts(function).rebound
    for name, after in env.items():
        if "." in name or name in context.params or name in rebound or after.kind != "module":
            continue
        before = outer.get(name)
        if before is None or after.training is None:
            continue
        if before.kind == "unknown" or before.kind == "module" and after.training != before.training:
            found[OUTER + name] = after
    return found


#: marks an enclosing-scope name in ``Summary.mutated`` (a parameter has no such prefix)
OUTER = "<outer>."
#: marks a field of the receiver in ``Summary.mutated``
FIELD = "<self>."
#: marks a field of an argument in ``Summary.mutated`` (``<arg>.model.img_enc``: parameter ``model``)
ARGUMENT_FIELD = "<arg>."


def field_modes(env: dict, cls: Optional[ClassInfo]) -> Dict[str, Value]:
    """Models held in the receiver's fields that a method switched to eval/train mode
    (``self.validate()`` whose body calls ``self.model.eval()``)."""
    found: Dict[str, Value] = {}
    if cls is None:
        return found
    for key, after in env.items():
        if not key.startswith("self.") or key.count(".") != 1 or after.kind != "module" or after.training is None:
            continue
        before = cls.attrs.get(key[5:])
        if before is None or before.kind == "unknown" or before.kind == "module" and before.training != after.training:
            found[FIELD + key[5:]] = after
    return found


def argument_field_modes(env: dict, context: Context, function: cst.FunctionDef) -> Dict[str, Value]:
    """Models held in the fields of an object the caller passed that the function switched to
    eval/train mode (``validate(model)`` whose body calls ``model.val_start()``, which calls
    ``self.img_enc.eval()``): the caller's object holds the same models."""
    found: Dict[str, Value] = {}
    rebound = function_facts(function).rebound
    for name, before in context.params.items():
        cls = before.cls
        if cls is None or name in rebound:
            continue
        prefix = name + "."
        for key, after in env.items():
            attr = key[len(prefix) :]
            if not key.startswith(prefix) or "." in attr or after.kind != "module" or after.training is None:
                continue
            old = cls.attrs.get(attr)
            if old is None or old.kind == "unknown" or old.kind == "module" and old.training != after.training:
                found[ARGUMENT_FIELD + key] = after
    return found


def hands_back(returned: Value) -> bool:
    """A function may return what it computed with gradients (a model's output, a tuple holding it,
    a value not known): its caller decides whether that graph is backpropagated. One that returns
    nothing, numbers (``.item()``) or tensors without grad consumed its outputs itself."""
    if returned.kind in ("number", "none"):
        return False
    if returned.kind == "tensor":
        return returned.grad is not False
    if returned.kind in ("seq", "dict") and returned.items:
        return any(hands_back(item) for item in returned.items)
    if returned.kind == "seq":
        return returned.has_grad is not False
    return True


def holds_grad(container: Value) -> bool:
    if container.kind == "seq":
        return container.has_grad is True
    return any(item.is_grad_tensor for item in container.items)


def says_nothing(context: Context, cls: Optional[ClassInfo]) -> bool:
    """A context that tells no more than unknown parameters and the class's own ``self``."""
    receiver = context.receiver
    return (
        context.mode is True
        and not context.frozen
        and context.receiver_training is None
        and not context.freed_fields
        and all(uninformative(value) for value in context.params.values())
        and (receiver is None or receiver.cls is cls and receiver.training is None)
    )


def uninformative(value: Value) -> bool:
    """A value that establishes no fact a rule could use (an unknown, or a tensor of unknown grad).
    A literal ``True`` / ``False`` does: a flag (``cross_valid=True``) picks the branches the walk takes."""
    if value.kind == "number" and value.mode is not None:
        return False
    if value.kind in ("unknown", "number", "none", "builtin"):
        return not value.cut
    return value.kind == "tensor" and value.grad is None and value.leaf is None and not value.cut


def call_graph_order(queue: List[Tuple], callees_of) -> List[Tuple]:
    """Queue entries ordered so that a function's callers are walked before it.

    Contexts come from callers' reporting walks, so a caller must be walked first.
    Cycles (recursion) keep their order of definition. ``callees_of`` names a method as ``.name``
    (called on an object), a function as ``name`` (see ``prescan.called_names``).
    """
    by_name: Dict[str, List[int]] = {}
    for index, entry in enumerate(queue):
        method = entry[3] is not None
        by_name.setdefault(("." if method else "") + entry[0].name.value, []).append(index)
    callers: Dict[int, set] = {index: set() for index in range(len(queue))}
    for index, entry in enumerate(queue):
        for name in callees_of(entry[0]):
            for callee in by_name.get(name, ()):
                if callee != index:
                    callers[callee].add(index)
    order: List[int] = []
    done: set = set()
    remaining = list(range(len(queue)))
    while remaining:
        ready = [i for i in remaining if callers[i] <= done]
        if not ready:
            ready = remaining[:1]  # a cycle: take the first defined
        for index in ready:
            order.append(index)
            done.add(index)
        remaining = [i for i in remaining if i not in done]
    return [queue[i] for i in order]


def with_own_paths(node: Optional[cst.BaseExpression], value: Value) -> Value:
    """A returned tuple whose items also name themselves: ``return loss_d, loss_g`` keeps
    ``loss_d`` in the first item's graph paths, so that ``shared_outputs`` can compare them
    (the paths are dropped when the value leaves the function)."""
    if not isinstance(node, cst.Tuple) or value.kind != "seq" or len(value.items) != len(node.elements):
        return value
    items = []
    for element, item in zip(node.elements, value.items):
        inner = element.value
        path = base_path(inner)
        if isinstance(inner, cst.Tuple):
            item = with_own_paths(inner, item)
        elif path is not None:
            item = add_deps(item, frozenset({path}))
        items.append(item)
    return value.with_(items=tuple(items))


def shared_outputs(returns: List[Value]) -> Optional[frozenset]:
    """The pairs of tuple positions that share a graph on every return: both computed from
    one graph value of the callee (``return self.fc(out), hidden`` after
    ``out, hidden = self.lstm(x, hidden)``). Two losses built apart (``return loss_d, loss_g``)
    share nothing: a backward() through one leaves the other's graph intact."""
    sizes = {len(value.items) if value.kind == "seq" and value.items else -1 for value in returns}
    if len(sizes) != 1 or -1 in sizes:
        return None
    pairs: Optional[frozenset] = None
    for value in returns:
        paths = [all_deps(item) for item in value.items]
        here = frozenset((i, j) for i, j in combinations(range(len(paths)), 2) if paths[i] & paths[j])
        pairs = here if pairs is None else pairs & here
    return pairs


def switched_fields(env, path: Optional[str], receiver: Optional[Value]) -> tuple:
    """The models under ``path`` (the receiver's fields, one level down) whose value differs from
    what the receiver's class set: a caller's ``self.model.eval()`` is the callee's too. So are the
    grad tensors the caller left there (``self.forward()`` set ``self.fake_B``, then
    ``self.backward_G()`` reads it: the generator's output, with its graph), and the objects another
    file's caller built the object with (``_OBJECT_KINDS``: ``self.d_optim`` over ``self.D``, handed to
    ``train()`` by ``constructed_objects``, is what ``self._train_step()`` steps too)."""
    cls = receiver.cls if receiver is not None else None
    if path is None or cls is None or not getattr(env, "has_under", lambda _: True)(path):
        return ()
    prefix = path + "."
    found = []
    for key, value in env.items():
        if key.startswith(prefix) and "." not in key[len(prefix):]:
            attr = key[len(prefix):]
            initial = cls.attrs.get(attr)
            kept = (
                value.kind in ("module", "dict") or value.kind in _OBJECT_KINDS or value.is_grad_tensor
                or _objects(value) or _graph_history(value)
                # a list the class's join over its own methods made "holds something" (what they append
                # from unknown arguments), which the caller knows better (``nested_fields``)
                or value.kind == "seq" and attr in cls.method_fields
            )
            if kept and value != initial or set_flag(value, initial):
                found.append((attr, value))  # (a flag the caller set: `self.is_test = False`, see flag_fields)
    return tuple(sorted(found, key=lambda item: item[0]))


#: kinds of a caller's object fields worth handing to the linted file's walk of a method
_OBJECT_KINDS = frozenset({"instance", "scaler", "optimizer"})


def _graph_history(value: Value) -> bool:
    """A list the caller appended graph-holding steps to (``self.memory.append((state, log_prob, r))``,
    read by ``self.learn()``): the callee's walk sees those items, not the empty list of ``__init__``."""
    return value.kind == "seq" and value.elem is not None and _has_graph(value.elem)


def _has_graph(value: Value, depth: int = 2) -> bool:
    if value.is_grad_tensor:
        return True
    return depth > 0 and value.kind == "seq" and any(_has_graph(item, depth - 1) for item in value.items)


def _objects(value: Value) -> bool:
    """A list of the project's objects (``Server(model, users)``: ``self.users`` of User objects)."""
    return value.kind == "seq" and value.elem is not None and value.elem.kind == "instance"


def constructed_objects(receiver: Optional[Value], fields: tuple) -> tuple:
    """``fields`` (the receiver's switched models) with the receiver's own fields that hold known
    objects (an instance of a project class, a grad scaler, an optimizer, a model known to have
    trainable parameters), sorted by field: what a caller in another file built the object with, for
    the linted file's walk of its method (``BiGAN(D, G, d_optim, g_optim)``: ``self.d_optim`` steps
    ``self.D``, see ``handed_optimizers``)."""
    cls = receiver.cls if receiver is not None else None
    if cls is None:
        return fields
    found = dict(fields)
    for attr, value in cls.attrs.items():
        handed = value.kind in _OBJECT_KINDS or value.kind == "module" and value.params is True or _objects(value)
        if attr not in found and handed and not value.unread:
            found[attr] = value
    return tuple(sorted(found.items(), key=lambda item: item[0]))
