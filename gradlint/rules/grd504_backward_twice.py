import libcst as cst

from ..analysis import base_path, literal_bool
from ..analysis.call_shapes import GRAPH_KEEPING_KEYWORDS
from ..analysis.carried_graphs import bound_saving_nothing
from ..analysis.freed_lists import list_of_graphs
from ..analysis.graph_saves import saves_nothing
from ..analysis.iterated_elements import one_graph_per_element
from ..analysis.loaded_modules import loaded_from_file
from ..analysis.repeated_closures import bound_in, closures_run_per_iteration
from ..analysis.module_state import stateful_run
from ..analysis.syntax import dotted, walk
from ..analysis.usage_scans import binds
from ..rule import Rule


class BackwardTwice(Rule):
    code = "GRD504"
    name = "backward-twice"
    severity = "error"
    raises_where_reported = True
    summary = "a second backward() through a graph an earlier backward() already freed"
    requires = (("backward", "autograd"),)

    def on_backward(self, node, ctx, receiver) -> None:
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.grad is not True:
            return
        if not (ctx.freed and self._freed_graph(node, ctx, receiver, value)):
            if not self._closure_reuses_outer_graph(node, ctx, value):
                self._module_state(node, ctx, value)

    def on_autograd_grad(self, node, ctx, outputs, behind: frozenset) -> None:
        """``torch.autograd.grad(loss, params)`` walks the graph of its outputs as backward() does: it
        raises on a graph an earlier backward() or autograd.grad freed (torch 2.13), but not on the graphs
        ``behind`` its inputs, where the walk stops (a gradient penalty's ``autograd.grad(score, mixed)``)."""
        if not ctx.freed:
            return
        parts = [element.value for element in outputs.elements] if type(outputs) in (cst.List, cst.Tuple) else [outputs]
        for part in parts:
            value = ctx.value(part)
            if value.kind == "tensor" and value.grad is True and base_path(part) not in behind:
                value = value.with_(deps=value.deps - behind)
                if self._freed_graph(node, ctx, part, value, "autograd.grad()"):
                    return

    def _closure_reuses_outer_graph(self, node, ctx, value) -> bool:
        """A closure a loop runs per iteration (``optimizer.step(closure)``) backpropagates through a
        graph of its enclosing scope built once, outside the loop (reported: True)."""
        function = ctx.function
        if ctx.loop is not None or function is None or ctx.module_node is None or not value.deps:
            return False
        runs = closures_run_per_iteration(ctx.module_node).get(id(function))
        if runs is None or _retains_graph(node):
            return False
        scope, rebound = runs
        local = bound_in(function)
        view = _ScopeView(ctx, scope if type(scope) is cst.FunctionDef else None)
        outer = sorted(
            name
            for name in value.deps
            if name.isidentifier() and name not in local and name not in rebound and not saves_nothing(name, view)
        )
        if not outer:
            return False
        name = outer[0]
        self.report(
            ctx,
            node,
            f"`{name}` holds a graph built outside `{function.name.value}`, which the loop runs again and again "
            "(`step(closure)`): the first call's backward() frees that graph, and every later call raises "
            f"\"Trying to backward through the graph a second time\". Detach `{name}` once where it is built "
            f"(`{name} = {name}.detach()`) if it is a fixed target, or compute it inside the closure.",
        )
        return True

    def _module_state(self, node, ctx, value) -> None:
        """A module that keeps a recurrent state on itself (``self.hidden``), run by this loop with
        no reset of that state: the next iteration's forward builds on the graph this backward frees."""
        record = ctx.loop
        if record is None:
            return
        found = stateful_run(ctx, record.node)
        if found is None:
            return
        path, fields = found
        if path.partition(".")[0] in record.bound:
            return  # a new module object each iteration
        through = value.through
        if through and not any(m == path or m.startswith(path + ".") or path.startswith(m + ".") for m in through):
            return  # this loss is not known to come from that module
        field = sorted(fields)[0]
        self.report(
            ctx,
            node,
            f"`{path}` keeps a recurrent state on itself (`self.{field}`, built by its forward from the "
            "previous call's value), and this loop runs it again without resetting or detaching that state: "
            "from the second iteration on, this backward() goes through the graph the previous one freed and "
            "raises \"Trying to backward through the graph a second time\". Reset the state at the start of each "
            "iteration, or detach it in forward.",
        )

    def _freed_graph(self, node, ctx, receiver, value, this: str = "backward()") -> bool:
        """The backward (or autograd.grad: ``this``) goes through a graph an earlier one freed (reported: True)."""
        freed = ctx.freed
        # what freed the graph is not recorded: after an autograd.grad, it may have been one too
        freer = "backward()" if this == "backward()" else "backward() or autograd.grad()"
        path = base_path(receiver)
        shared = sorted(({path} if path in freed else set()) | (value.deps & freed))
        if shared and ctx.loop is not None:
            # `for lp in log_probs: (-lp).backward()`: one graph per element, each built by its own
            # iteration of an earlier loop (``iterated_elements``)
            shared = [name for name in shared if not one_graph_per_element(ctx, ctx.loop.node, name, value.deps)]
        if shared and all(saves_nothing(name, ctx) or bound_saving_nothing(name, ctx) for name in shared):
            # `gamma = torch.rand(n, requires_grad=True) + 0.1`, or `x = diversify(x + delta)` padding and
            # resizing in each step: nothing freed is needed again
            return False
        if not shared:
            return False
        if all(_only_through_loaded_modules(name, ctx) for name in shared):
            return False  # `target = vgg16(img)` with `vgg16 = torch.jit.load(f)`: its file decides the graph
        carried = [name for name in shared if name in ctx.carried]
        if carried:
            name = carried[0]
            if self._kept_list(ctx, node, name, f"that the {freer} of an earlier iteration freed", this):
                return True
            if not _rebound_in_loop(ctx, name):
                self.report(
                    ctx,
                    node,
                    f"`{name}` holds a graph built before the loop, which the first iteration's {freer} freed: "
                    f"from the second iteration on, this {this} raises \"Trying to backward through the graph a "
                    f"second time\". Compute `{name}` inside the loop if its graph should train, or detach it once "
                    f"before the loop (`{name} = {name}.detach()`) if it is only data.",
                )
                return True
            self.report(
                ctx,
                node,
                f"`{name}` enters each iteration holding the previous iteration's graph, which that iteration's "
                f"{freer} freed: from the second iteration on, this {this} raises \"Trying to backward "
                f"through the graph a second time\". Detach the carried state at the start of each iteration "
                f"(`{name} = {name}.detach()`; for an LSTM's `(h, c)`, detach both).",
            )
            return True
        if shared[0].startswith("self.") and _only_backward_of_function(ctx, node):
            name, method = shared[0], ctx.function.name.value
            if self._kept_list(ctx, node, name, f"that a backward() freed before `{method}()` was called", this):
                return True
            self.report(
                ctx,
                node,
                f"`{name}` holds a graph that a backward() run before `{method}()` was called already freed (a method "
                f"called earlier on this object backpropagated through it): this {this} goes through it again and "
                "raises \"Trying to backward through the graph a second time\". Detach it where the earlier loss uses "
                f"it (`{name}.detach()`, as a GAN's discriminator step should), compute it again before this step, "
                "or pass `retain_graph=True` to the earlier backward().",
            )
            return True
        self.report(
            ctx,
            node,
            f"this {this} goes through the graph of `{shared[0]}`, which an earlier {freer} already "
            "freed: it raises \"Trying to backward through the graph a second time\". Sum the losses and call "
            f"backward() once, recompute the graph, or pass `retain_graph=True` to the earlier {freer}.",
        )
        return True

    def _kept_list(self, ctx, node, name: str, whose: str, this: str) -> bool:
        """``name`` is a list of graphs (``freed_lists``): reported as one nothing empties."""
        kept = ctx.lookup(name)
        if kept is None or not list_of_graphs(kept):
            return False
        self.report(
            ctx,
            node,
            f"`{name}` still holds graphs {whose}: nothing empties it, so this {this} goes through "
            "them again and raises \"Trying to backward through the graph a second time\". Empty it after each "
            f"backward() (`del {name}[:]` or `{name}.clear()`), or start a new list each time.",
        )
        return True


def _only_through_loaded_modules(name: str, ctx) -> bool:
    """``name`` was computed with gradients only through models read whole from a file, whose
    parameters require grad or not as the file saved them (``loaded_modules``)."""
    value = ctx.lookup(name)
    if value is None or not value.through:
        return False
    scope = ctx.function if ctx.function is not None else ctx.module_node
    return all(loaded_from_file(module, scope) for module in value.through)


def _only_backward_of_function(ctx, node) -> bool:
    """``node`` is the only backward() (or autograd.grad) call of the function being walked: what it
    finds freed was freed before the function was entered (a method called earlier on the same object,
    see ``freed_fields``)."""
    if ctx.function is None:
        return False
    return all(
        call is node
        for call in walk(ctx.function.body)
        if type(call) is cst.Call and _differentiates(call)
    )


def _differentiates(call) -> bool:
    """``call`` is a ``backward()`` or a ``torch.autograd.grad`` (by its name)."""
    if type(call.func) is not cst.Attribute:
        return False
    return call.func.attr.value == "backward" or (dotted(call.func) or "").endswith("autograd.grad")


def _retains_graph(call) -> bool:
    """``backward(retain_graph=True)`` / ``create_graph=True``: the graph survives the call."""
    return type(call) is cst.Call and any(
        arg.keyword is not None and arg.keyword.value in GRAPH_KEEPING_KEYWORDS and literal_bool(arg.value) is not False
        for arg in call.args
    )


class _ScopeView:
    """``ctx`` seen from the scope that encloses a closure: ``saves_nothing`` reads that scope's bindings."""

    def __init__(self, ctx, function):
        self._ctx = ctx
        self.function = function

    def __getattr__(self, name):
        return getattr(self._ctx, name)


def _rebound_in_loop(ctx, name: str) -> bool:
    """Whether a loop carrying ``name`` binds it in its body (a recurrent state, ``h = cell(x, h)``),
    rather than using a value built once before it (``feats = encoder(X)``, then ``head(feats)`` in it)."""
    for record in ctx.loops:
        if name in record.carried and (binds(record.node.body, name) or _assigns_field(record.node.body, name)):
            return True
    return not any(name in record.carried for record in ctx.loops)


def _assigns_field(body, path: str) -> bool:
    """Whether ``body`` assigns the field ``path`` (``logits, self.state = self.model(x, self.state)``)."""
    if "." not in path:
        return False
    for node in walk(body):
        if type(node) is cst.Assign:
            targets = [part for target in node.targets for part in walk(target.target)]
            if any(type(part) is cst.Attribute and dotted(part) == path for part in targets):
                return True
    return False
