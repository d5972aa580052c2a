import libcst as cst

from ..analysis.setitem_appends import appends_item
from ..analysis import dotted
from ..analysis.closure_steps import closure_backpropagates
from ..analysis.last_iteration import ends_the_loop
from ..analysis.field_histories import graph_positions, kept_for_update
from ..analysis.foreign_containers import built_by_foreign_class
from ..analysis.handed_histories import handed_to_update, loss_handed_to_update
from ..analysis.loop_closures import ClosureTotals
from ..analysis.result_uses import handed_back, holds_graph
from ..analysis.running_totals import accumulating_arms
from ..analysis.scope_names import outlives_scope
from ..analysis.accumulator_resets import reset_in_every_iteration, reset_within, resets, unrolls
from ..analysis.evaluation_loops import evaluates, fed_back
from ..analysis.chunked_inputs import chunk_models, consumed_whole
from ..analysis.syntax import walk
from ..rule import Rule, source


def _slots_of(index, loop) -> bool:
    """The index names only the targets of the ``for`` loop that stores (``for i in range(n):
    best[i] = out``): a store into a list there replaces an element at a position of that loop, and
    a list never grows by an item store, so a loop enclosing this one keeps no more graphs per
    iteration than the list has elements."""
    if type(loop) is not cst.For:
        return False
    targets = {n.value for n in walk(loop.target) if type(n) is cst.Name}
    names = [n.value for n in walk(index) if type(n) is cst.Name]
    return bool(names) and all(name in targets for name in names)


def _copies_this_iterations_element(added, path: str, loop) -> bool:
    """``chosen[t] = losses[t]`` (or ``chosen.append(losses[t])``) with ``t`` bound by the loop: the
    value is the element another accumulator keeps for this iteration, so the two hold the same graphs."""
    if type(added) is not cst.Subscript or dotted(added.value) in (None, path):
        return False
    return any(type(n) is cst.Name and n.value in loop.bound for n in walk(added.slice[0]))


def _scope(ctx):
    """The function whose walk is under way (None at module level, as ``on_scope_end`` has it)."""
    return ctx.function


class LossHistoryAccumulation(Rule):
    code = "GRD502"
    name = "loss-history-accumulation"
    severity = "warning"
    summary = "a grad tensor accumulated across iterations of a training loop keeps every graph alive"
    requires = (("backward", "eval", "no_grad", "+=", "append"),)

    def __init__(self):
        self._candidates = {}  # id(loop node) -> [(node, accumulator path, added)]
        #: accumulations in loops that never call backward(), reported at the end of the
        #: scope unless a backward() follows (the accumulated graph was meant for it)
        self._pending = []
        #: accumulations into ``self`` fields outside any loop of a method, reported at the end
        #: of its walk if it backpropagates: a training step, which its caller repeats
        self._step_candidates = []
        self._backpropagates = False
        #: id(loop node) -> ids of the accumulations there into names of an enclosing scope
        self._outer_loops: dict = {}
        self._closures = ClosureTotals()  # `def closure(): nonlocal total; total += loss`, run per iteration
        #: accumulations of training loops, reported at the end of their scope unless a backward()
        #: after the loop goes through the graphs they keep: [(scope, node, path, added, graphs)]
        self._kept_for_later = []
        #: name -> the kept accumulators (paths) the value bound to it was computed from
        self._derived = {}
        #: (scope, accumulator) -> the accumulators whose elements it keeps as well (``chosen[t] =
        #: losses[t]``): a backward() through it goes through their graphs
        self._copied_from = {}
        #: id(pending accumulation) -> the models its loop ran over the chunks of one input
        self._chunked = {}
        #: id(accumulation) -> the positions of the appended tuple's items that hold a graph
        self._positions = {}
        #: ids of item stores into a list at a position of the storing loop (``best[i] = out`` for each
        #: ``i`` of ``for i in range(n)``): see ``_slots_of``
        self._slot_stores = set()

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        target = node.target
        if type(target) is cst.Subscript:  # stats[k] += loss
            path = dotted(target.value)
        elif type(target) in (cst.Name, cst.Attribute):
            current = ctx.value(target)
            # an in-place update of a leaf (`w -= lr * g`) is GRD201's concern, not an accumulation
            accumulates = current.kind in ("number", "tensor", "unknown") and not current.is_leaf_grad
            # `losses += [loss]`: a list grown like `losses.append(loss)`
            accumulates = accumulates or current.kind == "seq" and type(node.operator) is cst.AddAssign
            path = dotted(target) if accumulates else None
        else:
            path = None
        if path is not None:
            self._consider(ctx, node, path, node.value)

    def on_assign(self, target, ctx, value_node) -> None:
        if self._kept_for_later and type(target) is cst.Name:
            sources = self._accumulators_in(value_node, ctx)
            if sources:
                self._derived[target.value] = sources
            else:
                self._derived.pop(target.value, None)
        if type(target) is cst.Subscript:
            self._consider_item(target, ctx, value_node)
            return
        if type(value_node) is cst.ListComp and type(target) is cst.Name:
            self._consider_comprehension(target.value, ctx, value_node)
            return
        if type(target) in (cst.Name, cst.Attribute):  # total = total + loss, avg = avg * n / (n + 1) + ...
            for arm, added in accumulating_arms(dotted(target), value_node):
                self._consider(ctx, arm, dotted(target), added)

    def _consider_comprehension(self, path: str, ctx, comp: cst.ListComp) -> None:
        """``outputs = [model.validation_step(b) for b in loader]``: a loop written as a comprehension
        that runs one model (not one bound by the comprehension: ``[m(x) for m in models]`` compares
        models) over many batches with gradients enabled, each element holding its graph. Judged like
        an evaluation loop's history: pending until a ``backward()`` of the scope or a caller takes
        it. Outside loops only (an enclosing loop's own backward() is judged by its walk), and not
        in a module's own methods (a forward stacking its chunks builds its graph on purpose)."""
        if ctx.grad_enabled is not True or ctx.loop is not None:
            return
        cls = ctx.current_class
        if cls is not None and (cls.is_module or ctx.scope_name == "forward"):
            return
        element = ctx.value(comp).elem
        if element is None or not holds_graph(element):
            return
        bound = set()
        clause = comp.for_in
        while clause is not None:
            bound.update(n.value for n in walk(clause.target) if type(n) is cst.Name)
            clause = clause.inner_for_in
        if not any(type(n) is cst.Name and n.value in bound for n in walk(comp.elt)):
            return  # `[crit(model(x + noise()), y) for _ in range(3)]` repeats one computation: no batches
        if not any(type(n) is cst.Call for n in walk(comp.elt)):
            # `[h[mask[:, i]] for i in range(layers)]` slices one forward's output (flair's lemmatizer
            # encode_token): no forward runs for each element
            return
        if type(comp.elt) is cst.Call and dotted(comp.elt.func) and dotted(comp.elt.func).split(".", 1)[0] in bound:
            return  # `[m.validation_step(b) for m in models]`: a method of each element
        parts = [element] + [item for item in element.items if item.kind == "tensor"]
        models = {module.split(".", 1)[0] for part in parts if part.kind == "tensor" and part.grad is True for module in part.through}
        if models and not models & bound:
            self._pending.append((comp, path, comp.elt))

    def _consider_item(self, target: cst.Subscript, ctx, value_node) -> None:
        """``losses[step] = loss``: a list or dict that keeps a new item in each iteration (its index
        is bound by the loop), like an append. A fixed index (``last[0] = loss``) replaces one. So
        does a tensor (not a leaf that requires grad) that takes a graph value in a slot or slice the loop moves
        (``preds[i * bs:(i + 1) * bs] = out``): the write is recorded in the graph (``CopySlices``),
        and the buffer keeps every iteration's graph."""
        loop = ctx.loop
        path = dotted(target.value)
        if loop is None or path is None or len(target.slice) != 1:
            return
        if appends_item(ctx.value(target.value)):
            return self._consider(ctx, target, path, value_node)  # `stat_col["loss"] = loss`, an append
        index = target.slice[0].slice
        if type(index) is cst.Index:
            index = index.value
        elif type(index) is not cst.Slice:
            return
        if not any(type(n) is cst.Name and n.value in loop.bound for n in walk(index)):
            return
        container = ctx.value(target.value)
        kind = container.kind
        if kind in ("seq", "dict"):
            if kind == "seq" and type(index) is not cst.Slice and _slots_of(index, loop.node):
                self._slot_stores.add(id(target))
            self._consider(ctx, target, path, value_node)
        elif kind == "tensor" and not container.is_leaf_grad and not container.struct and "." not in path:
            # (a leaf that requires grad raises at such a write: GRD201's)
            self._consider(ctx, target, path, value_node)

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "backward":
            self._pending.clear()  # whatever its receiver (`accelerator.backward(total)` too)
        if type(func) is cst.Attribute and func.attr.value in ("append", "extend") and len(node.args) == 1:
            # `losses.extend([loss])` grows the list like `losses.append(loss)`
            receiver = func.value
            if type(receiver) is cst.Subscript:  # history["train"].append(loss): a list in a dict
                receiver = receiver.value
            path = dotted(receiver)
            if path is not None and not built_by_foreign_class(ctx, receiver):
                self._consider(ctx, node, path, node.args[0].value)

    def on_backward(self, node, ctx, receiver) -> None:
        if self._kept_for_later:
            # `meta_loss = sum(losses); meta_loss.backward()` after the loop that kept `losses`: the
            # history was kept for this backward (a meta-loss, a loss over a whole sequence)
            # (by name, not by the graphs the history holds: `loss` is rebound in every iteration, and
            # the next epoch's `loss.backward()` goes through a new graph, not the kept ones)
            through = self._accumulators_in(receiver, ctx)
            self._kept_for_later = [kept for kept in self._kept_for_later if kept[2] not in through]
        if ctx.loop is None and ctx.grad_enabled is True:
            self._backpropagates = True
            self._closures.backward(ctx, receiver)

    def _accumulators_in(self, node, ctx) -> set:
        """The kept accumulators ``node`` is computed from: named in it, or through a name bound to
        a value computed from them (``total = torch.stack(per_task).mean()``), or through a list the
        loop copied their elements into (``chosen[t] = losses[t]``, then ``sum(chosen)``)."""
        kept = {entry[2] for entry in self._kept_for_later}
        found = set()
        for inner in walk(node):
            if type(inner) in (cst.Name, cst.Attribute):
                path = dotted(inner)
                if path in kept:
                    found.add(path)
                elif type(inner) is cst.Name and inner.value in self._derived:
                    found |= self._derived[inner.value]
                found |= self._copied_from.get((_scope(ctx), path), set()) & kept
        return found

    def on_store(self, call, ctx, path: str) -> None:
        """A call (``self.meter.update(loss)``) that stored a grad tensor into ``path``, outside loops."""
        if ctx.grad_enabled is True and ctx.current_class is not None and path.startswith("self."):
            self._step_candidates.append((call, path, None))

    def _consider(self, ctx, node, path: str, added) -> None:
        loop = ctx.loop
        if loop is None and self._closures.consider(ctx, node, path, added):
            return
        if loop is None:
            if ctx.grad_enabled is True and ctx.current_class is not None and path.startswith("self."):
                if holds_graph(ctx.value(added)):
                    self._step_candidates.append((node, path, added))
            return
        if ctx.grad_enabled is not True or path in loop.bound:
            return  # started afresh in this iteration
        outer = "." not in path and path not in loop.entry
        if outer and not outlives_scope(ctx.function, path):
            return  # a name not carried over from before the loop (an attribute outlives it anyway)
        if outer and id(loop.node) not in self._outer_loops:
            # a module-level list or a `global` counter outlives the loop too, but only a training
            # loop is judged for it: what an evaluation loop collects there may be backpropagated
            # by another function (`outputs.append(model(x))`, stacked into a loss elsewhere)
            self._outer_loops[id(loop.node)] = set()
        if outer:
            self._outer_loops[id(loop.node)].add(id(node))
        if _copies_this_iterations_element(added, path, loop):
            self._copied_from.setdefault((_scope(ctx), path), set()).add(dotted(added.value))
        if holds_graph(ctx.value(added)):
            self._candidates.setdefault(id(loop.node), []).append((node, path, added))
            if type(added) is cst.Tuple:
                self._positions[id(node)] = graph_positions(ctx, added)

    def on_loop_end(self, node, ctx, record) -> None:
        self._report_stores(ctx, record)
        candidates = self._candidates.pop(id(node), ())
        outer = self._outer_loops.pop(id(node), ())
        # an epoch loop calling a function that trains in a loop of its own (`train_loss, acc =
        # train_step(model, loader, loss_fn, opt)`, whose batch loop backpropagates and steps) is a
        # training loop too: a graph it keeps was built before steps that changed the parameters in
        # place, so no later backward() can go through it, and one is kept for every epoch. So is
        # an episode loop whose update backpropagates step by step and then steps once
        # (`for r, prob in self.data: (-log(prob) * r).backward()`, then `optimizer.step()`)
        backwards = record.backwards or ((record.steps or record.inner_steps) and record.inner_backwards)
        # `loss = optimizer.step(closure)` with the backward() in the closure (L-BFGS): a training loop
        backwards = backwards or [(call, None) for call, _, _ in record.steps if closure_backpropagates(ctx.module_node, call)]
        # one run on the last iteration only (`if done: agent.update(log_probs)`) is a backward after the loop
        backwards = [b for b in backwards if not ends_the_loop(node, record.update_calls.get(id(b[0]), b[0]))]
        if not backwards:
            # no backward() frees what these graphs saved: a window reset now and then (`running = 0`
            # after logging 100 batches) keeps 100 forwards' activations; one reset each iteration, one
            candidates = [c for c in candidates if id(c[0]) not in outer and not reset_in_every_iteration(node, c[1])]
            if not record.steps and evaluates(ctx, record):
                pending = [c for c in candidates if not fed_back(c[1], record)]
                models = chunk_models(record) if pending else frozenset()
                self._chunked.update((id(c[0]), models) for c in pending if models)
                self._pending.extend(pending)
                return
            # an inner loop over the parts of a loss (`for k, v in parts.items(): total[k] += v`):
            # what it adds up outlives the enclosing training loop too
            enclosing = ctx.loop
            if enclosing is not None:
                # (not a list's slots written by position, `best[i] = out` for each i of the inner loop:
                # every iteration of the enclosing loop replaces the same elements, the list grows not)
                carried = [
                    c for c in candidates
                    if ("." in c[1] or c[1] in enclosing.entry) and c[1] not in enclosing.bound
                    and id(c[0]) not in self._slot_stores
                ]
                self._candidates.setdefault(id(enclosing.node), []).extend(carried)
            return
        # a training loop that starts the accumulator afresh now and then (`running_loss = 0` after
        # logging each gradient-accumulation window) keeps a bounded window, not the whole history:
        # each backward() freed what the kept graphs saved, a chain of small nodes is left
        candidates = [c for c in candidates if not reset_within(node, c[1])]
        unrolled = unrolls(node, record, {path for _, path, _ in candidates})
        for found, path, added in candidates:
            if not any(receiver != path for _, receiver in backwards):
                continue  # the accumulated value is what gets backpropagated: deliberate
            if fed_back(path, record):
                continue  # a recurrent state list whose last element the loop runs its model on
            if unrolled and ctx.function is not None and reset_within(ctx.function, path):
                continue  # the meta-loss of an unrolled optimisation, made afresh for each unroll
            self._kept_for_later.append((_scope(ctx), found, path, added))

    def on_scope_end(self, node, ctx) -> None:
        later = [kept for kept in self._kept_for_later if kept[0] is node]
        self._kept_for_later = [kept for kept in self._kept_for_later if kept[0] is not node]
        if not self._kept_for_later:
            self._derived.clear()
        self._copied_from = {key: paths for key, paths in self._copied_from.items() if key[0] is not node}
        for _, found, path, added in later:
            # (a history the loop's update reads and backpropagates: REINFORCE's saved log-probs)
            if kept_for_update(ctx, node, path, self._positions.get(id(found), frozenset())):
                continue
            self._report(ctx, found, path, added, "of a training loop")
        for found, path, added in self._closures.finish(node):
            self._report(ctx, found, path, added, f"of the loop that runs `{node.name.value}()` in each of them")
        for found, path, added in self._pending:
            if (
                handed_back(node, found, path, ctx)
                or kept_for_update(ctx, node, path, self._positions.get(id(found), frozenset()), found)
                or consumed_whole(node, path, self._chunked.get(id(found), frozenset()))
                or handed_to_update(node, path, found, ctx.module_node)
                or loss_handed_to_update(ctx, node, path)
            ):
                continue
            loop = "a list comprehension" if type(found) is cst.ListComp else "a loop"
            self._report(ctx, found, path, added, f"of {loop} that never calls backward() (an evaluation loop?)")
        self._pending.clear()
        self._chunked.clear()
        self._positions.clear()
        candidates, self._step_candidates = self._step_candidates, []
        backpropagates, self._backpropagates = self._backpropagates, False
        cls = ctx.current_class
        if type(node) is cst.FunctionDef and cls is not None and cls.lightning and node.name.value == "training_step":
            backpropagates = ctx.grad_enabled is True  # Lightning backpropagates what it returns
        if backpropagates and type(node) is cst.FunctionDef and cls is not None:
            for found, path, added in candidates:
                if self._kept_across_steps(node, ctx, path):
                    self._report_step(ctx, node, found, path, added)

    @staticmethod
    def _kept_across_steps(method: cst.FunctionDef, ctx, path: str) -> bool:
        """The field outlives the step: set afresh only by ``__init__`` (not by this step or another
        method, which may reset it every step: ``del self.log_probs[:]`` after a policy-gradient
        update), and never backpropagated itself (an accumulated loss meant for a later
        ``backward()``)."""
        field = ".".join(path.split(".")[:2])
        if f"{field}.backward(" in ctx.source:
            return False
        methods = ctx.current_class.methods
        if method.name.value not in methods:
            return False  # a nested function, not the class's own method
        return not any(
            resets(function, prefix)
            for name, function in methods.items()
            if name != "__init__"
            for prefix in {field, path}
        )

    def _report_step(self, ctx, method, found, path, added) -> None:
        kept = f"keeps `{source(added, 30)}`, which carries its autograd graph," if added is not None else (
            "stores a tensor with its autograd graph"
        )
        why = "Lightning backpropagates what it returns" if method.name.value == "training_step" else (
            "this method backpropagates"
        )
        self.report(
            ctx,
            found,
            f"`{source(found)}` {kept} in `{path}`, which outlives each call of `{method.name.value}()`: {why}, "
            "so it is a training step its caller repeats, and every step's graph stays alive: memory grows. "
            "Accumulate `.item()` (or `.detach()`) instead.",
        )

    def _report(self, ctx, found, path, added, where: str) -> None:
        # an item store reports its target: show the whole assignment
        shown = f"{source(found)} = {source(added, 30)}" if type(found) is cst.Subscript else source(found)
        self.report(
            ctx,
            found,
            f"`{shown}` keeps `{source(added, 30)}`, which carries its autograd graph, in `{path}` "
            f"across iterations {where}: every iteration's graph stays alive and memory grows. Accumulate "
            f"`.item()` (or `.detach()`) instead, or run the loop under `torch.no_grad()`.",
        )

    def _report_stores(self, ctx, record) -> None:
        """``meter.update(loss)`` whose method adds the tensor into the object: the object keeps every graph."""
        reported = set()
        for call, path in record.stores:
            owner = path.split(".", 1)[0] if path else None
            if call is None or id(call) in reported or owner not in record.entry or owner in record.bound:
                continue
            if not record.backwards:
                continue
            if not any(holds_graph(ctx.value(arg.value)) for arg in call.args):
                # the callee stores a graph it made itself (`self.history.append(loss)` in a training
                # step): its own line is the cause, and is reported there
                continue
            reported.add(id(call))
            self.report(
                ctx,
                call,
                f"`{source(call)}` stores a tensor with its autograd graph into `{path}`, an object that "
                "outlives the iteration: every iteration's graph stays alive and memory grows. Pass "
                "`.item()` (or `.detach()`) of the loss instead.",
            )
