"""The abstract state of one program point and the records the walk keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from .freed_lists import list_of_graphs
from .values import UNKNOWN, Tri, Value, join, join_tri
from .value_paths import renamed_owners


@dataclass
class FreezeEvent:
    """``requires_grad`` set on the parameters of the module at ``owner``."""

    owner: str
    #: every parameter of the module (an unconditional loop over ``.parameters()``
    #: or ``requires_grad_()`` on the module), or only some.
    whole: bool
    #: True: now requires grad; False: frozen; None: not a literal.
    requires_grad: Tri
    node: cst.CSTNode
    #: happens whenever its scope runs: under no condition and in no loop (but its own
    #: loop over the parameters)
    unconditional: bool = False
    #: the statement that sets the flag, when ``node`` is the loop over the parameters around it
    #: (``for p in model.parameters(): p.requires_grad = True`` sets it at its assignment)
    at: Optional[cst.CSTNode] = None
    #: an unfreeze of every parameter of ``owner`` inside a function: the freezes its callers made
    #: under it before the call and no training followed, ((path, source of the freeze), ...)
    inherited: tuple = ()
    #: replayed at the call of a project function that trains: the callee's walk, given the
    #: caller's freezes (``inherited_freezes``), judges it at its own line
    handed: bool = False
    #: a whole freeze a project helper made of a model it returned, replayed where its caller binds
    #: the model: the layers the helper placed under it before (``model.fc = nn.Linear(...)``),
    #: frozen with the rest, ((the caller's path of the layer, the node to report), ...): GRD404's
    #: pitfall unless the caller unfreezes them (see ``returned_freezes``)
    heads: tuple = ()


class Env(dict):
    """The values bound at a program point, by dotted path.

    It also counts, for each dotted prefix, the bound paths under it: rebinding ``x``
    drops ``x.a``, ``x.b.c``..., and most names have nothing under them, which the count
    answers without a look at every bound path (a notebook binds tens of thousands).
    """

    __slots__ = ("_under",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._under: dict = {}
        for key in self:
            self._count(key, 1)

    def has_under(self, path: str) -> bool:
        """Whether some bound path starts with ``path + "."``."""
        return path in self._under

    def _count(self, key, step: int) -> None:
        if not isinstance(key, str):
            return
        under = self._under
        dot = key.find(".")
        while dot != -1:
            prefix = key[:dot]
            count = under.get(prefix, 0) + step
            if count:
                under[prefix] = count
            else:
                del under[prefix]
            dot = key.find(".", dot + 1)

    def __setitem__(self, key, value) -> None:
        if key not in self:
            self._count(key, 1)
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self._count(key, -1)

    def pop(self, key, *default):
        if key in self:
            self._count(key, -1)
        return super().pop(key, *default)

    def popitem(self):
        key, value = super().popitem()
        self._count(key, -1)
        return key, value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return super().__getitem__(key)

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def clear(self) -> None:
        super().clear()
        self._under.clear()

    def copy(self) -> "Env":
        new = Env()
        dict.update(new, self)
        new._under = dict(self._under)
        return new

    @staticmethod
    def joined(bindings: dict, first, added) -> "Env":
        """An Env of ``bindings``, whose keys are those of ``first`` and ``added``: the prefixes of
        ``first``'s are counted already (most keys of a join)."""
        if type(first) is not Env:
            return Env(bindings)
        new = Env()
        dict.update(new, bindings)
        new._under = dict(first._under)
        for key in added:
            new._count(key, 1)
        return new


def holds_under(paths: frozenset, path: str) -> bool:
    """Whether one of ``paths`` (dotted paths) starts with ``path + "."``. Asked of the saved, freed and
    stale paths at each binding: in one string of them, at C speed (a loop body binding thousands of
    names, each saved for backward, asked it of thousands of paths each time: 10 s for 3000 lines)."""
    prefix = path + "."
    if len(paths) < 16 or "\0" in prefix:
        return any(entry.startswith(prefix) for entry in paths)
    joined = "\0" + "\0".join(paths)
    if joined.count("\0") != len(paths):  # a path holding the separator: look at each
        return any(entry.startswith(prefix) for entry in paths)
    return "\0" + prefix in joined


class State:
    __slots__ = (
        "env", "mode", "saved", "freed", "stepped", "stale", "cleared", "scaled", "steps_done", "no_grads", "reached", "armed",
        "step_sides",
    )

    def __init__(
        self,
        env: dict,
        mode: Tri,
        saved: frozenset = frozenset(),
        freed: frozenset = frozenset(),
        stepped: frozenset = frozenset(),
        stale: frozenset = frozenset(),
        cleared: Optional[frozenset] = None,
        scaled: bool = False,
        steps_done: frozenset = frozenset(),
        no_grads: bool = False,
        reached: frozenset = frozenset(),
        armed: frozenset = frozenset(),
        step_sides: frozenset = frozenset(),
    ):
        self.env = env
        self.mode = mode
        #: (optimizer path, owner path) of optimizers stepped since gradients were last
        #: cleared on some path (a may-fact: a step that finds itself here follows an
        #: earlier step with no clear in between)
        self.stepped = stepped
        #: dotted paths of grad tensors an op saved for backward since the last
        #: ``backward()`` (a must-fact: kept where every path agrees).
        self.saved = saved
        #: dotted paths of graph values whose graph a ``backward()`` freed (a
        #: may-fact: rebinding the name clears it).
        self.freed = freed
        #: dotted paths of graph values that saved parameters an ``optimizer.step()``
        #: has since modified in place (a must-fact: rebinding the name clears it).
        self.stale = stale
        #: what was cleared (optimizer paths and module paths whose ``zero_grad()`` ran)
        #: since the last ``backward()``; None: no backward is known to have run.
        self.cleared = cleared
        #: the gradients come from ``scaler.scale(loss).backward()`` and no
        #: ``scaler.unscale_()`` / ``scaler.step()`` / clear has run since.
        self.scaled = scaled
        #: (optimizer path, owner path) of optimizers stepped on every path since the
        #: start of the loop iteration being walked (a must-fact)
        self.steps_done = steps_done
        #: gradients were cleared and no ``backward()`` has run since: there is nothing to clip (on
        #: a path that skipped a loop of scaled backwards, the other paths decide ``scaled``)
        self.no_grads = no_grads
        #: (optimizer path, modules) pairs: the optimizer's ``zero_grad()`` ran, and since then only
        #: ``backward()``s of graphs whose saved parameters belong to ``modules`` (see
        #: ``TrainingEffects._step_of_unknown_owner``); kept where every path has the pair, the modules
        #: joined
        self.reached = reached
        #: the keys of ``stepped`` with a ``backward()`` run since their step (a may-fact): a step
        #: that finds its key here adds new gradients to ones it already applied. A step reached
        #: again with no backward in between (an inner loop of backwards skipped) adds nothing.
        self.armed = armed
        #: (key of ``stepped``, flag path, side): the step that put the key there was taken on
        #: that side of ``if flag:``, a flag fixed for the whole function (``fixed_flags``); kept
        #: where every path that has the key agrees
        self.step_sides = step_sides

    def copy(self) -> "State":
        return State(
            self.env.copy() if isinstance(self.env, Env) else dict(self.env),
            self.mode,
            self.saved,
            self.freed,
            self.stepped,
            self.stale,
            self.cleared,
            self.scaled,
            self.steps_done,
            self.no_grads,
            self.reached,
            self.armed,
            self.step_sides,
        )

    @staticmethod
    def join(a: "State", b: "State") -> "State":
        joined = {}  # (a plain dict, made an Env at once: not an ``Env.__setitem__`` call per key)
        b_env = b.env
        for key, value in a.env.items():
            other = b_env.get(key)
            # a name bound on one path only is unknown after the join (and shadows outer
            # names), but for an import: `if is_torch_available(): import torch`
            if other is value:
                joined[key] = value  # (most names: bound before the branch, rebound on neither path)
            else:
                joined[key] = _one_sided(key, value) if other is None else _joined_binding(value, other)
        added = [key for key in b_env if key not in joined]
        for key in added:
            joined[key] = _one_sided(key, b_env[key])
        env = Env.joined(joined, a.env, added)
        # a freed graph is a may-fact, but a name the two paths disagree on was rebound
        # on one of them: `if wass: d_loss = gp else: fake_loss = ...; d_loss = real + fake_loss`
        freed = frozenset(
            path for path in a.freed | b.freed if _same_object(a.env.get(path), b_env.get(path)) or _grown(a.env.get(path), b_env.get(path))
        )
        # so is a graph made stale by a step on one path (`if i % n_critic == 0: opt_g.step()`):
        # on that path its backward() raises, unless the name was recomputed there
        stale = a.stale & b.stale | frozenset(
            path for path in a.stale ^ b.stale if _same_object(a.env.get(path), b_env.get(path))
        )
        cleared = None if a.cleared is None or b.cleared is None else a.cleared & b.cleared
        return State(
            env,
            join_tri(a.mode, b.mode),
            a.saved & b.saved,
            freed,
            a.stepped | b.stepped,
            stale,
            cleared,
            (a.scaled or b.scaled) and (a.scaled or a.no_grads) and (b.scaled or b.no_grads),
            a.steps_done & b.steps_done,
            a.no_grads and b.no_grads,
            _join_reached(a.reached, b.reached),
            a.armed | b.armed,
            _join_sides(a, b),
        )


def _join_sides(a: "State", b: "State") -> frozenset:
    """A stepped key's flag sides after a join: those both paths took, where both have the key;
    a path's own where only that path has it."""
    if not a.step_sides and not b.step_sides:
        return frozenset()
    both = a.stepped & b.stepped
    return frozenset(
        side
        for side in a.step_sides | b.step_sides
        if (side[0] in both and side in a.step_sides and side in b.step_sides)
        or (side[0] not in both and (side in a.step_sides and side[0] in a.stepped or side in b.step_sides and side[0] in b.stepped))
    )


def _one_sided(key: str, value: Value) -> Value:
    """A name bound on one path only: where it is read, that path was taken (Python raises
    otherwise), so a plain name keeps its value (``if amp: scaler = GradScaler()``). An
    attribute path does not: the object may have it from elsewhere (a parent's ``__init__``)."""
    if value.kind == "ref" or "." not in key:
        return value
    return UNKNOWN


class Terminated(Exception):
    pass


@dataclass
class LoopRecord:
    """What one loop (with everything nested in it) does on the reporting pass."""

    node: cst.CSTNode
    #: names bound before the loop starts
    entry: frozenset
    backwards: list = field(default_factory=list)  # (call node, receiver path)
    steps: list = field(default_factory=list)  # (call node, optimizer path, optimizer value)
    clears: list = field(default_factory=list)  # owner path of what was cleared, None: unknown / all
    forwards: list = field(default_factory=list)  # (call node, module path, module value, grad mode)
    #: names bound so far in the walked iteration
    bound: set = field(default_factory=set)
    #: functions and methods of this file the loop calls (their bodies are walked elsewhere)
    local_calls: list = field(default_factory=list)
    #: (call node, object path): calls that store a grad tensor into an object that outlives
    #: the call (``meter.update(loss)`` whose body does ``self.sum += val``)
    stores: list = field(default_factory=list)
    #: steps reached, on some path through the loop, right after an earlier step with no
    #: gradient clear in between (unconditional steps only: accumulation windows step in an if)
    repeated_steps: list = field(default_factory=list)
    #: the conditional depth of the loop body itself
    depth: int = 0
    #: like ``repeated_steps``, for steps under a condition of the loop body (kept when every
    #: path through the body steps that optimizer: ``if amp: ... scaler.step(opt) else: opt.step()``)
    conditional_repeats: list = field(default_factory=list)
    #: names that enter an iteration holding the graph the previous iteration's backward()
    #: freed (an RNN's hidden state carried without ``detach()``)
    carried: frozenset = frozenset()
    #: ``.eval()`` / ``.train()`` calls: (call node, module path, training flag or None)
    mode_switches: list = field(default_factory=list)
    #: id of a switch made inside a called function -> the call in this loop's function that ran it
    switch_calls: dict = field(default_factory=dict)
    #: the same for a forward a called function ran (its node in the callee's code)
    forward_calls: dict = field(default_factory=dict)
    #: the same for a backward() or an optimizer step a called function of this file ran
    update_calls: dict = field(default_factory=dict)
    #: modules a loop inside a called function may switch back with train() (``model.eval()``, then
    #: ``model.train()`` in the helper's loop over the dev batches): kept apart from ``mode_switches``,
    #: whose order is the call's own, so that GRD510 does not claim that nothing restores the mode
    inner_restores: set = field(default_factory=set)
    #: the state at the end of the walked iteration (what the next one starts from)
    end: Optional["State"] = None
    #: a summary's collector: what the loops inside the called function (and inside its callees)
    #: do, kept apart from the call's own effects, which other rules judge loop by loop. For
    #: GRD510, `train_one_epoch(model, loader, opt)` in an epoch loop trains `model` there.
    nested: Optional["LoopRecord"] = None
    #: what loops inside the functions this loop calls do: (call, module path, module value, grad
    #: mode) forwards, optimizer steps and backward() calls, in this loop's names
    inner_forwards: list = field(default_factory=list)
    inner_steps: list = field(default_factory=list)
    inner_backwards: list = field(default_factory=list)
    #: those of ``inner_forwards`` run by a function of the file that hands their outputs back and
    #: switches no mode, with the function's id: (call, path, module, mode, id) (``evaluation_forwards``)
    helper_forwards: list = field(default_factory=list)
    #: (call, module path in this loop's names, module value, grad mode): the forwards a call into
    #: another file ran, kept with their paths (``forwards`` places them at the call without one)
    foreign_forwards: list = field(default_factory=list)
    #: ids of the forwards, run by a called function, of a model that function makes in each call
    #: (``a = copy.deepcopy(module)``, see call_locals): not one model run again and again
    made_forwards: set = field(default_factory=set)
    #: a loop over string literals (``literal_loops``), walked once per string: how many backward()
    #: calls the record held when each string's pass began
    passes: list = field(default_factory=list)

    def mark(self) -> tuple:
        """Where the record is now, for ``backwards_of_pass``."""
        return len(self.backwards), len(self.passes)

    def backwards_of_pass(self, mark: tuple) -> list:
        """The backward() calls recorded since ``mark`` in the same pass over the body: in a loop
        over string literals, a later string's pass (``"train"`` after ``"val"``) backpropagates
        its own outputs, not those of the pass before."""
        count, passes = mark
        return self.backwards[count : self.passes[passes]] if passes < len(self.passes) else self.backwards[count:]

    def all_of(self, kind: str) -> list:
        """The record's ``kind`` events ("forwards", "steps", "backwards") with those of the loops
        inside the summarised function and inside its callees, in order."""
        found = getattr(self, kind) + getattr(self, "inner_" + kind)
        nested = self.nested
        return found + getattr(nested, kind) + getattr(nested, "inner_" + kind) if nested is not None else found

    def inner_effects(self, call: cst.Call, rename) -> tuple:
        """What the loops inside the function this record summarises did (and what loops inside
        its own callees did), at ``call`` and in the caller's names: (forwards, steps, backwards)."""
        nested = self.nested
        forwards = self.inner_forwards + (nested.forwards + nested.inner_forwards if nested else [])
        steps = self.inner_steps + (nested.steps + nested.inner_steps if nested else [])
        backwards = self.inner_backwards + (nested.backwards + nested.inner_backwards if nested else [])
        return (
            [(call, rename(path), module, mode) for _, path, module, mode in forwards],
            [(call, rename(path), renamed_owners(optimizer, rename)) for _, path, optimizer in steps],
            [(call, rename(path)) for _, path in backwards],
        )


SCOPE_FIELDS = (
    "state",
    "outer",
    "scope_name",
    "function",
    "current_class",
    "_param_loops",
    "_literal_targets",
    "_member_aliases",
    "_cond_depth",
    "_true_arms",
    "_flag_sides",
    "_returns",
    "_carried_params",
    "_return_carries",
    "_yields",
    "_freeze_log",
    "_untrained",
    "_pending_freezes",
    "_model_inputs",
    "_loops",
    "_closure_outers",
    "_closure_calls",
    "_dict_loops",
    "_entry_loops",
    "_exit_proofs",
    "_exit_steps",
    "_exit_saved",
    "_exit_freed",
    "_rebound_at",
    "_return_freezes",
    "_held_freezes",
)




def _join_reached(a: frozenset, b: frozenset) -> frozenset:
    """An optimizer cleared on both paths: what either path's backward()s reached since."""
    if not a or not b:
        return frozenset()
    if a == b:
        return a
    other = dict(b)
    return frozenset((path, modules | other[path]) for path, modules in a if path in other)


def _grown(a, b) -> bool:
    """Two values of a list of graphs that one path appended to (``saved_log_probs.append(...)``): the
    same list, grown, whose freed graphs it still holds (``freed_lists``); not a list emptied or
    made anew on one path, which holds none."""
    if a is None or b is None:
        return False
    # (an object's field the caller's state first holds after a method call appended to it: unknown
    # on the path from before that call, as a name bound on one path only is after a join)
    return list_of_graphs(a) and (list_of_graphs(b) or b.kind == "unknown") or a.kind == "unknown" and list_of_graphs(b)


def _joined_binding(a: Value, b: Value) -> Value:
    """The join of a name's values on two paths: a new object when they are different objects (the
    name was rebound on one path), even when equal, since ``_same_object`` asks it of a later join:
    a name recomputed in one arm of an inner ``if`` (``elif``) is not taken, after the outer join,
    for one bound on neither path, and the graph freed before stays unfreed there. A list of graphs
    grown on one path keeps its object: ``_grown`` judges it."""
    joined = join(a, b)
    if a is b or joined is not a and joined is not b or _grown(a, b) or _grown(b, a):
        return joined
    return joined.with_()


def _same_object(a, b) -> bool:
    """The two paths' values of a name are one object: the name was not rebound on either, only
    narrowed on one (``if h is not None:`` makes ``h`` the value it holds when not None)."""
    return a is b or a is not None and b is not None and (a.unless_none is b or b.unless_none is a)
