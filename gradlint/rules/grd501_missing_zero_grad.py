import re

import libcst as cst

from ..analysis import dotted
from ..analysis.module_aliases import keeps_its_module
from ..analysis.manual_updates import CLEARING_TEXT, given_to, persists_across, updated_tensor, writes_through_data
from ..analysis.arguments import parameters
from ..analysis.scope_names import outlives_scope
from ..analysis.source_order import contains, in_source_order
from ..analysis.values import ONE_OF_SEVERAL
from ..analysis.syntax import walk
from ..rule import Rule, source

_CLEARING_TEXT = ("zero_grad", "grad.zero_", "set_to_none", "grad.detach_")
#: `p.grad = None`, or a new tensor in place of the accumulated one (`p.grad = torch.zeros_like(p)`)
_GRAD_REPLACED = re.compile(r"\.grad\s*=(?!=)")


def _may_clear(function: cst.FunctionDef) -> bool:
    text = cst.Module(body=[]).code_for_node(function)
    return any(part in text for part in _CLEARING_TEXT) or bool(_GRAD_REPLACED.search(text))


def _clears_accounted(function: cst.FunctionDef, record) -> bool:
    """A method whose only clears are unconditional ``self.<field>.zero_grad()`` statements of its
    body, each found among the loop's clears in the caller's names (``gan.step(real)`` clearing
    ``self.opt_g``: ``gan.opt_g``): what it clears is known, so an optimizer it steps and never
    clears is not excused by it (code-soup #73's GAN step clearing the generator's only)."""
    text = cst.Module(body=[]).code_for_node(function)
    if _GRAD_REPLACED.search(text) or any(part in text for part in _CLEARING_TEXT if part not in ("zero_grad", "set_to_none")):
        return False
    params = function.params.params
    if not params or params[0].name.value != "self":
        return False
    top = set()
    for statement in function.body.body:
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            call = small.value if type(small) is cst.Expr else None
            if type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value == "zero_grad":
                top.add(id(call))
    clears = [str(c) for c in record.clears if c is not None]
    for node in walk(function.body):
        if type(node) is cst.Attribute and node.attr.value == "zero_grad":
            path = dotted(node.value)
            if path is None or not path.startswith("self.") or path.count(".") != 1:
                return False
            if not any(id(call) in top and call.func is node for call in walk(function.body) if type(call) is cst.Call):
                return False
            if not any(c.endswith("." + path[5:]) for c in clears):
                return False
    return True


def _uncalled_clear(loop: cst.CSTNode, name: str) -> bool:
    """``optimizer.zero_grad`` as a statement of the loop: a reference, not a call."""
    for node in walk(loop):
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Attribute):
            if node.value.attr.value == "zero_grad" and dotted(node.value.value) == name:
                return True
    return False


def _never_cleared(optimizer_path, owner, record, function=None, loop=None) -> bool:
    """No clear of the loop is this optimizer's, nor a ``zero_grad()`` of the module it trains, nor
    a module's ``zero_grad()`` that may be (for an optimizer of unknown parameters)."""
    clears = record.clears
    if optimizer_path in clears:
        return False
    if owner is not None and any(c == owner or owner.startswith(c + ".") for c in clears):
        return False
    if owner is not None and outlives_scope(function, owner.partition(".")[0]) and any(c.startswith("self.") for c in clears):
        # an optimizer over a module named only in a caller (`Trainer(net, SGD(net.parameters()))`) and a
        # clear of a field (`self.model.zero_grad()`, `self.model = DataParallel(model)` from that caller's
        # `net`): whether the field holds that module is not known here
        return False
    if owner is not None and owner.partition(".")[0] == "self" and any(
        _handed_over(function, c, loop) for c in clears
    ):
        # an optimizer over the receiver's parameters (`self.optimizer` built on `self.parameters()`) and a
        # clear of a module the caller hands over (`def train_model(self, model): model.zero_grad()`, run as
        # `model.train_model(model, ...)`): whether that module is the receiver is not known here
        return False
    # a module's zero_grad() we cannot match to an optimizer of unknown parameters
    return owner is not None or all(c in (p for _, p, _ in record.steps) for c in clears)


def _handed_over(function, clear, loop) -> bool:
    """``clear`` names a module the caller gave ``function`` (a parameter other than the receiver), still
    that argument at ``loop``: not bound again before it, in it, or in a loop around it (a reload of the
    best model after training, ``model = torch.load(path)``, does not change what the loop cleared)."""
    if function is None or loop is None or type(clear) is not str:
        return False
    root = clear.partition(".")[0]
    if root == "self" or all(param.name.value != root for param in parameters(function)):
        return False
    order = list(in_source_order(function.body))
    start = next((i for i, node in enumerate(order) if node is loop), None)
    if start is None:
        return False
    around = [node for node in order[:start] if type(node) in (cst.For, cst.While) and contains(node, loop)]
    for index, node in enumerate(order):
        if type(node) in (cst.Assign, cst.AnnAssign) and any(
            type(target) is cst.Name and target.value == root
            for target in ([t.target for t in node.targets] if type(node) is cst.Assign else [node.target])
        ) and (index < start or contains(loop, node) or any(contains(outer, node) for outer in around)):
            return False
    return True


def _covered_by_other_clears(optimizer, record) -> bool:
    """An optimizer over several models (``Adam(chain(G.parameters(), D.parameters()))``, infoGAN's
    information optimizer) whose every model the loop's other clears reach: ``opt_d.zero_grad()`` over
    ``D`` and ``opt_g.zero_grad()`` over ``G`` empty the gradients it steps with, each iteration."""
    if optimizer.owner is not None or not optimizer.owners:
        return False
    stepped = {path: value for _, path, value in record.steps if path}
    cleared = set()
    for clear in record.clears:
        other = stepped.get(clear)
        if other is None:
            cleared.add(clear)  # `G.zero_grad()`: a module's own clear
        elif other.owner is not None or other.owners:
            cleared.update(other.owners or {other.owner})
    return all(any(owner == c or owner.startswith(c + ".") for c in cleared) for owner in optimizer.owners)


def _rebound_fresh(path, record, ctx) -> bool:
    """``path`` (the optimizer's model, or the optimizer) is bound again in the loop, to something
    other than the module it holds (``model = model.to(device)`` and ``head = model; model = head``
    keep it: its parameters, and their gradients, carry over)."""
    if path not in record.bound:
        return False
    return "." in path or not keeps_its_module(record.node, path, ctx.function, ctx.module_node)


def _continues(loop: cst.CSTNode) -> bool:
    """A ``continue`` of this loop itself (not of a loop or function nested in it)."""
    body = getattr(loop, "body", None)
    return body is not None and any(
        type(node) is cst.Continue for node in walk(body, prune=(cst.For, cst.While, cst.FunctionDef, cst.ClassDef))
    )


class MissingZeroGrad(Rule):
    code = "GRD501"
    name = "missing-zero-grad"
    severity = "error"
    summary = "a training loop that never clears gradients: they accumulate across steps"
    requires = (("step", ".grad"), ("backward",))

    def __init__(self):
        #: hand-written steps: (statement or call, updated tensor's path, the enclosing loops' records)
        self._updates = []
        self._reported = set()
        #: hand-written steps inside functions of the file: function -> [(node, tensor path)]
        self._in_functions = {}
        #: functions of the file called by a backpropagating loop that clears no gradient
        self._called_uncleared = []

    def on_augassign(self, node, ctx) -> None:
        self._note_update(node, ctx)

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) is cst.Attribute and target.attr.value == "data":
            self._note_update(cst.Assign(targets=[cst.AssignTarget(target)], value=value_node), ctx, at=target)

    def on_call(self, node, ctx) -> None:
        self._note_update(node, ctx)

    def _note_update(self, node, ctx, at=None) -> None:
        """``w -= lr * w.grad`` on a leaf that requires grad, in a loop, where it does not raise
        (under ``no_grad``, or written through ``.data``): a step of gradient descent by hand."""
        tensor = updated_tensor(node)
        if tensor is None or not ctx.value(tensor).is_leaf_grad:
            return
        if ctx.grad_enabled is not False and not writes_through_data(node):
            return  # raises at once: GRD201's pitfall
        path = dotted(tensor)
        if ctx.loops:
            self._updates.append((at or node, path, ctx.loops))
        if ctx.function is not None and given_to(ctx.function, path):
            self._in_functions.setdefault(ctx.function, []).append((at or node, path))

    def on_loop_end(self, node, ctx, record) -> None:
        self._report_manual_updates(node, ctx, record)
        # (a backward in a loop of a function this loop calls counts: an episode's update that
        # backpropagates step by step, then steps once, runs in every iteration of this loop)
        if not (record.backwards or record.inner_backwards) or not record.steps:
            return
        if record.clears and None not in record.clears:
            self._report_uncleared_paths(ctx, record)
        clears = record.clears
        if None in clears:
            return  # something cleared gradients we cannot attribute: assume all
        if any(_may_clear(function) and not _clears_accounted(function, record) for function in record.local_calls):
            return  # a helper of this file's own may clear them
        for step, optimizer_path, optimizer in record.steps:
            owner = optimizer.owner
            if _rebound_fresh(owner or optimizer_path, record, ctx) and optimizer.qual != ONE_OF_SEVERAL:
                # (not the loop variable of `for optimizer in self.optimizers:`, torchforge #71: the same ones)
                continue  # a fresh model (or optimizer) each iteration: nothing carries over
            if not _never_cleared(optimizer_path, owner, record, ctx.function, node):
                continue
            if _covered_by_other_clears(optimizer, record):
                continue
            name = optimizer_path or source(step.func.value, 30)
            uncalled = f" (`{name}.zero_grad` without parentheses does not call it)" if _uncalled_clear(
                node, name
            ) else ""
            self.report(
                ctx,
                step,
                f"`{source(step)}` runs in a loop that calls backward() but never clears gradients{uncalled}: "
                f"each step adds to the previous ones, so `{name}` applies the sum of every past gradient. "
                f"Call `{name}.zero_grad()` in the loop (before backward(), or after step()).",
            )

    def _report_manual_updates(self, node, ctx, record) -> None:
        """Hand-written steps inside ``node`` (the innermost loop that backpropagates and keeps the
        tensor across its iterations reports them), once each."""
        updates = [u for u in self._updates if any(r is record for r in u[2])]
        if not updates and not record.local_calls:
            return
        # the outermost loop around an update ends last: the update is settled then
        self._updates = [u for u in self._updates if u[2][0] is not record]
        if not record.backwards or record.clears:
            return
        if any(_may_clear(function) for function in record.local_calls):
            return
        text = cst.Module(body=[]).code_for_node(node)
        if any(part in text for part in CLEARING_TEXT) or _GRAD_REPLACED.search(text):
            return
        self._called_uncleared.extend(record.local_calls)
        for update, path, _ in updates:
            if id(update) in self._reported or not persists_across(node, path, record.bound):
                continue
            self._reported.add(id(update))
            self._report_update(ctx, update, path)

    def on_file_end(self, node, ctx) -> None:
        """``def sgd(params, lr): for p in params: p -= lr * p.grad`` (no clear), called by a loop
        that backpropagates and clears nothing: the helper's update applies every past gradient."""
        for function in dict.fromkeys(self._called_uncleared):
            for update, path in self._in_functions.get(function, ()):
                if id(update) in self._reported:
                    continue
                self._reported.add(id(update))
                self._report_update(ctx, update, path, f"neither `{function.name.value}()` nor the loop that calls it clears")

    def _report_update(self, ctx, update, path, clearer="this loop never clears") -> None:
        self.report(
            ctx,
            update,
            f"`{source(update, 60)}` updates `{path}` from `{path}.grad`, which {clearer}: "
            f"each backward() adds its gradient to the previous ones, so every update applies the sum "
            f"of all gradients so far. Clear it after the update: `{path}.grad.zero_()` "
            f"(or `{path}.grad = None`).",
        )

    def _report_uncleared_paths(self, ctx, record) -> None:
        """Gradients cleared on some paths only: ``if phase == "train": opt.zero_grad()``, then an
        unconditional step. The step after a path that cleared nothing adds the old gradients."""
        if any(_may_clear(function) for function in record.local_calls):
            return  # a helper that clears: its own conditions are not followed here
        done = record.end.steps_done if record.end is not None else frozenset()
        if _continues(record.node):
            done = frozenset()  # an iteration left by `continue` (before its step) is not in `end`
        stepped_always = [
            (step, path, optimizer) for step, path, optimizer in record.conditional_repeats
            if (path, optimizer.owner) in done  # not an accumulation window: every path steps
        ]
        for step, optimizer_path, optimizer in record.repeated_steps + stepped_always:
            if _rebound_fresh(optimizer.owner or optimizer_path, record, ctx):
                continue
            if _never_cleared(optimizer_path, optimizer.owner, record):
                continue  # on_loop_end says so, with its own message
            self.report(
                ctx,
                step,
                f"`{source(step)}` can run with the gradients of the previous iteration still in place: "
                f"`{optimizer_path}`'s gradients are cleared on some paths through the loop but not on "
                f"all of them, so on the others this step applies the sum of old and new gradients. "
                f"Call `{optimizer_path}.zero_grad()` unconditionally in the loop.",
            )
