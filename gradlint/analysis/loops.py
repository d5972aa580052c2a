"""The loop walk: loop heads joined over iterations, the reporting pass, and ``for``/``while``.

Silent passes reach the loop-head state (the join of the entry and the end of an iteration);
the reporting pass then walks the body once from it and hands the loop's record to the rules.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from . import torch_api as api
from .branch_tests import recomputed_is_fresh
from .entry_loops import every_entry_loop, proven_entry
from .entry_switches import entries_loop
from .filled_buffers import kept_filled
from .flag_arms import arm_bound_names, keep_entry
from .freed_lists import emptied_names, list_of_graphs
from .literal_loops import literal_strings
from .member_loops import literal_members
from .state import LoopRecord, State, Terminated
from .syntax import dotted, per_node, walk
from .usage_scans import binds
from .value_paths import holds_graph


class LoopWalker:
    """The Analyzer's walk of ``for`` and ``while`` statements (and of bodies called once per
    batch by a framework: ``scopes._analyze_function``)."""

    def _loop(self, node, run_iteration: Callable[[], None], once: bool = False) -> None:
        """Walk a loop body so that values carried across iterations are seen.

        Silent passes reach the loop-head state (the join of entry and the end of
        an iteration); the reporting pass then walks the body once from it. ``once``: the
        iteration walks the whole loop (``literal_loops``: every string in order), so nothing
        is carried into a next one and the loop does not end before it.
        """
        if once:
            self._whole_loop(node, run_iteration)
            return
        head = self.state
        entry = frozenset(head.env)
        was_reporting = self.reporting
        self.reporting = False
        loops = self._loops
        # silent passes record nothing, but a function's summary is walked silently throughout:
        # there its loops' effects go to the summary collector's `nested` record (see LoopRecord)
        self._loops = [loops[0].nested] if not was_reporting and loops and loops[0].nested is not None else []
        carried: frozenset = frozenset()
        carried_saved = None
        start, arms = head, arm_bound_names(node, self.function, self.module_node, head)
        ends = []
        for _ in range(2 if was_reporting else 1):
            self.state = head.copy()
            self._iteration(run_iteration)
            ends.append(self.state)
            ends_freed = _carried_freed(self.state, emptied_names(node)) - arms
            if ends_freed and not _detaches_in_place(node):
                carried = carried | ends_freed
            ends_saved = _carried_saved(self.state) - arms
            carried_saved = ends_saved if carried_saved is None else carried_saved & ends_saved
            head = keep_entry(State.join(head, self.state), start, arms)
        self.reporting = was_reporting
        self._loops = loops
        if was_reporting:
            self.state = head.copy()
            self.state.freed = self.state.freed | carried
            # what an iteration saved for backward is still saved when the next one starts: an
            # in-place write there (`b[i] = b[i] + 1` after `y = y + torch.mm(w, b)`) fails at backward
            self.state.saved = self.state.saved | (carried_saved or frozenset())
            self.state.steps_done = frozenset()
            record = self._recorded_iteration(node, entry, carried, run_iteration)
            after = kept_filled(node, start, [self.state], _rebound_fresh(start, [self.state], State.join(head, self.state)))
            self.state = _freed_by_last_iteration(node, [self.state], after)
            self._emit("on_loop_end", node, record)
        else:
            self.state = _freed_by_last_iteration(node, ends, kept_filled(node, start, ends, _rebound_fresh(start, ends, head)))

    def _whole_loop(self, node, run_iteration: Callable[[], None]) -> None:
        if not self.reporting:
            self._iteration(run_iteration)
            return
        record = self._recorded_iteration(node, frozenset(self.state.env), frozenset(), run_iteration)
        self._emit("on_loop_end", node, record)

    def _recorded_iteration(self, node, entry: frozenset, carried: frozenset, run_iteration) -> LoopRecord:
        """The reporting pass's iteration, with the loop's record open for what it does."""
        record = LoopRecord(node, entry, depth=self._cond_depth + 1, carried=carried)
        self._loops.append(record)
        try:
            self._iteration(run_iteration)
        finally:
            self._loops.pop()
        record.end = self.state
        return record

    def _iteration(self, run_iteration) -> None:
        self._cond_depth += 1
        try:
            run_iteration()
        except Terminated:
            pass
        finally:
            self._cond_depth -= 1

    def _stmt_for(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        element = self._element_of(iterable, node.iter)
        loop_info = None
        if iterable.kind == "params" and type(node.target) in (cst.Name, cst.Tuple):
            target = node.target
            if type(target) is cst.Tuple and len(target.elements) == 2:
                target = target.elements[1].value
            if type(target) is cst.Name:
                loop_info = (target.value, iterable.owner, self._cond_depth + 1, node)

        strings = literal_strings(node)
        members_shown = literal_members(node, self.value) if strings is None else None
        entries = every_entry_loop(node, self.value) if strings is None else None
        members = _member_loop(node, iterable) if strings is None else None
        froze = []

        def iteration():
            if strings is not None:
                # once per string, in order (``literal_loops``)
                record = self._loops[-1] if self.reporting and self._loops and self._loops[-1].node is node else None
                for string in strings:
                    if record is not None:
                        record.passes.append(len(record.backwards))
                    self._bind(node.target, string, None)
                    self._block(node.body.body) if type(node.body) is cst.IndentedBlock else self._body(node.body)
                return
            if members_shown is not None:
                # once per member, in order (``member_loops``): its freezes are the member's
                name = node.target.value
                outer = self._member_aliases
                try:
                    for member in members_shown:
                        self._member_aliases = {**outer, name: dotted(member)}
                        self._bind(node.target, self.value(member), None)
                        self._block(node.body.body) if type(node.body) is cst.IndentedBlock else self._body(node.body)
                finally:
                    self._member_aliases = outer
                return
            self._bind_loop_target(node.target, element, iterable)
            if entries is not None and entries.item is not None:
                self._set(entries.item, proven_entry(entries))
            self._block(node.body.body) if type(node.body) is cst.IndentedBlock else self._body(node.body)
            if members is not None:
                member = self.lookup(node.target.value)
                froze.append(member is not None and member.kind == "module" and member.params is False)

        if loop_info is not None:
            self._param_loops.append(loop_info)
        over_dict = self._dict_loop(node)
        if over_dict is not None:
            self._dict_loops.append(over_dict)
        if entries is not None:
            self._entry_loops.append(entries)
        if strings is not None:
            self._literal_targets = self._literal_targets | {node.target.value}
        try:
            self._loop(node, iteration, once=strings is not None or members_shown is not None)
        finally:
            if strings is not None:
                self._literal_targets = self._literal_targets - {node.target.value}
            if loop_info is not None:
                self._param_loops.pop()
            if over_dict is not None:
                self._dict_loops.pop()
            if entries is not None:
                self._entry_loops.pop()
        switched = self._switched_entries.pop(id(node), None)
        if switched is not None:
            # every entry switched in each iteration: so they are after the loop, however many ran
            self._switch_entries(*switched)
        if members is not None and froze and all(froze) and self._cond_depth == 0:
            # `for proto in self.prototypes: for p in proto.parameters(): p.requires_grad = False`:
            # every member of the container is frozen whole, on every path through the body
            self.state.env[members] = _frozen_container(iterable)
        frozen = self._whole_freezes.pop(id(node), None)
        if frozen is not None:
            # a loop over no parameter froze them all too: the zero-iteration path agrees
            root, value = frozen
            self.state.env[root] = value
        if node.orelse is not None:
            self._body(node.orelse.body)

    def _dict_loop(self, node: cst.For):
        """(key name, item name, container path, loop, body depth) of a loop over every entry of a dict
        or every model of a list (``entries_loop``), at the body's depth, where a switch of every entry
        is unconditional."""
        # (an arm whose test is known true, `if mode == "eval":` with the mode passed in, is no condition)
        return entries_loop(node, self.value, self._cond_depth + 1 - self._true_arms)

    def _stmt_while(self, node: cst.While) -> None:
        def iteration():
            self.eval(node.test)
            self._body(node.body)

        self._loop(node, iteration)
        if node.orelse is not None:
            self._body(node.orelse.body)


def _member_loop(node: cst.For, iterable) -> str:
    """The path of the module container (``nn.ModuleList``, ``nn.Sequential``...) a ``for m in X:``
    loop goes over, member by member; None for any other loop."""
    if type(node.target) is not cst.Name or iterable.kind != "module":
        return None
    if iterable.qual.rsplit(".", 1)[-1] not in api.MODULE_CONTAINERS:
        return None
    return dotted(node.iter)


def _frozen_container(container):
    """A module container whose members were all frozen whole."""
    elem = container.elem.with_(params=False) if container.elem is not None and container.elem.kind == "module" else None
    items = tuple(item.with_(params=False) if item.kind == "module" else item for item in container.items)
    return container.with_(params=False, elem=elem, items=items)


def _carried_freed(end: State, emptied: frozenset = frozenset()) -> frozenset:
    """Names whose value at the end of an iteration is a graph that iteration's backward() freed
    (or a list of such graphs the body may not have emptied: ``freed_lists``): the next iteration
    starts from it."""
    return frozenset(
        path
        for path in end.freed
        if (value := end.env.get(path)) is not None
        and (
            # (`self.state`, or `tagger.state` of an object whose method the loop calls: see freed_fields)
            path.count(".") <= 1 and holds_graph(value)
            # (a list kept on an object the loop uses, `agent.saved_log_probs`, as well)
            or path.count(".") <= 1 and list_of_graphs(value) and path not in emptied
        )
    )


def _carried_saved(end: State) -> frozenset:
    """Names whose value at the end of an iteration an op of the graph saved for backward (on every
    way through the body, as ``State.saved`` is): the next iteration starts with them saved, unless
    it rebinds them first (``Bindings._set``) or a backward() frees the graph (``saved`` cleared)."""
    return frozenset(path for path in end.saved if "." not in path and path in end.env)


@per_node
def _detaches_in_place(loop: cst.CSTNode) -> bool:
    """Whether the loop calls ``detach_()`` anywhere (``for h in hidden: h.detach_()`` detaches
    states the analysis cannot name): then no state is taken to be carried."""
    return any(type(node) is cst.Name and node.value == "detach_" for node in walk(loop))


def _freed_by_last_iteration(loop, ends: list, after: State) -> State:
    """After a loop: a graph that the last iteration's backward() freed, held by a name the body
    binds (``out = model(x); loss = crit(out, y); loss.backward()``), is still freed: only a loop
    running zero times would leave the name its value from before the loop, the same may-fact as
    ``_rebound_fresh``'s. A backward after the loop through that graph (``sum(losses).backward()``
    over losses each already backpropagated in the loop) raises \"Trying to backward through the
    graph a second time\". The join of the entry and the end of an iteration drops such a name
    (the two paths disagree on its value); it is added back here."""
    body = getattr(loop, "body", None)
    if body is None:
        return after
    found = frozenset(
        path
        for end in ends
        for path in end.freed - after.freed
        if "." not in path and path in after.env and binds(body, path)
    )
    if not found:
        return after
    after.freed = after.freed | found
    return after


def _rebound_fresh(start: State, ends: list, after: State) -> State:
    """After a loop: a tensor made stale by a step (before the loop, or in an earlier iteration of
    an enclosing one) that the body rebinds to a fresh graph is fresh. Only a loop running zero
    times would keep the stale one (`for letter in word: out, h = rnn(letter, h)`, then the loss of
    `out`): a may-fact, the same as the fall-through of an `if`/`elif` chain (`recomputed_is_fresh`).
    A body that leaves the name stale itself (a step after its forward) keeps it stale."""
    if not any(value.kind == "tensor" and value.stale for value in after.env.values()):
        return after
    return recomputed_is_fresh(start, ends, after)
