import libcst as cst

from ..analysis import within
from ..analysis.field_aliases import aliased_path
from ..analysis.last_iteration import runs_on_last_iteration_only
from ..analysis.mode_free import mode_free
from ..analysis.plain_sequentials import sequential_mode_free
from ..analysis.validated_before import validated_before_loop
from ..analysis.syntax import walk
from ..rule import Rule, source


def _overlaps(owner, path: str) -> bool:
    return owner is not None and (within(owner, path) or within(path, owner))


def _switch_statement(call) -> bool:
    """``X.eval()`` / ``X.train(...)`` itself, not a call of a function of another file that runs it
    (a switch replayed from another file is recorded at the call)."""
    return type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value in ("eval", "train")


def _trained_in_eval_after_evaluation(ctx, record, path: str):
    """The training forward of ``path`` that runs with the model known to be in eval mode, in a loop
    that also runs an evaluation forward of it (without grad): LCFCN's loss calls ``model.train()``,
    then a helper that predicts blobs under ``no_grad`` after ``model.eval()``, then the forward it
    backpropagates. None when there is no such pair."""
    forwards = [
        (f, module, mode)
        for f, f_path, module, mode in record.forwards + record.inner_forwards
        if ctx.same_object(f_path) == path
    ]
    if not any(mode is False for _, _, mode in forwards):
        return None
    return next((f for f, module, mode in forwards if mode is True and module.training is False), None)


def _inside_called_function(site, forward, module) -> bool:
    """``forward`` runs in the body of the module-level function ``site`` calls by its plain name
    (``point_loss(model, batch)`` switching the model through its helper, then training it): the
    switch and the forward in eval mode are one call's doing, not a validation of the epoch loop
    (an attack's forwards with grad in ``eval_model_pgd(model, ...)`` after ``train_epoch(...)``)."""
    if type(site) is not cst.Call or type(site.func) is not cst.Name or type(module) is not cst.Module:
        return False
    found = [n for n in module.body if type(n) is cst.FunctionDef and n.name.value == site.func.value]
    return len(found) == 1 and any(node is forward for node in walk(found[0].body))


class EvalModeNotRestored(Rule):
    code = "GRD510"
    name = "eval-mode-not-restored"
    severity = "error"
    summary = "model.eval() inside a training loop with no model.train() before the next training forward"
    requires = (("eval", "train"), ("backward",))

    def __init__(self):
        self._reported = set()
        self._own_nodes = None  # ids of the linted module's nodes, once a switch is judged

    def _in_file(self, ctx, node) -> bool:
        if self._own_nodes is None:
            self._own_nodes = {id(n) for n in walk(ctx.module_node)} if ctx.module_node is not None else set()
        return id(node) in self._own_nodes

    @staticmethod
    def _trains(ctx, record, path: str) -> bool:
        """The loop's optimizer steps the model at ``path``: its owner says so, or, with no owner
        known (an optimizer passed in), ``path`` is the only model the loop runs with gradients."""
        optimizers = [optimizer for _, _, optimizer in record.steps + record.inner_steps]
        owners = [owner for optimizer in optimizers for owner in optimizer.owners or (optimizer.owner,)]
        if any(_overlaps(ctx.same_object(owner), path) for owner in owners):
            return True
        # an owner named in this function (a local, a parameter, a field) that is not the model; an
        # owner in a caller's names (`Trainer(model, Adam(model.parameters()))`: `model` inside the
        # trainer's methods is `self.model`) says nothing here
        if any(owner is not None and owner.split(".")[0] in ctx.state.env for owner in owners):
            return False
        # the models the loop runs with gradients: not the layers a model's own forward ran (`net.fc1`
        # inside `net(x)`: the walk of `Net.forward` records them too), not a module known to own no
        # parameter (`criterion = nn.CrossEntropyLoss()`), whose output trains nothing
        forwarded = {
            ctx.same_object(f_path)
            for _, f_path, module, mode in record.forwards + record.inner_forwards
            if mode is True and module.params is not False
        }
        outermost = {
            p for p in forwarded if p is None or not any(q is not None and q != p and within(p, q) for q in forwarded)
        }
        return bool(optimizers) and outermost == {path}

    def on_loop_end(self, node, ctx, record) -> None:
        # a loop that trains: its own backward() and step(), or those of the loop inside a function
        # it calls (`for epoch in ...: train_one_epoch(model, loader, opt); evaluate(model)`)
        if not (record.backwards or record.inner_backwards) or not (record.steps or record.inner_steps):
            return
        if record.end is None:
            return
        switched = {path for _, path, training in record.mode_switches if training is not False}
        # a helper whose own loop calls `model.train()` (each dev batch, say) may restore the mode
        switched |= record.inner_restores
        # `self._network_module_ptr.train()` restores `self._network` when the one field names the other
        switched |= {aliased_path(path, ctx.current_class) for path in switched} - {None}
        judged = set()
        for call, path, training in record.mode_switches:
            if training is not False or path is None or path in record.bound:
                continue
            in_eval = None
            if path in switched:
                # a `train()` earlier in the iteration does not restore what a helper's evaluation
                # switched afterwards: the training forward that follows runs in eval mode
                site = record.switch_calls.get(id(call))
                in_eval = _trained_in_eval_after_evaluation(ctx, record, path) if site not in (None, call) else None
                if in_eval is None or not _inside_called_function(site, in_eval, ctx.module_node):
                    continue
            if path in judged:
                continue  # one report per model and loop: the first switch (`test(model)`, then `accuracy(model)`)
            judged.add(path)
            if id(call) in self._reported:
                continue
            end = record.end.env.get(path)
            trained = next(
                (
                    (f, module)
                    for f, f_path, module, mode in record.forwards + record.inner_forwards + record.foreign_forwards
                    if ctx.same_object(f_path) == path and mode is True and module.training is None
                ),
                None,
            )
            if trained is not None and "." in path and (end is None or end.kind == "unknown"):
                # a field switched and trained in an arm the loop takes on some iterations only
                # (`if itt >= warmup: agent.update(batch)`, whose body runs `self.critic.eval()`):
                # the join of the arms forgets an attribute path one arm never read, but the loop
                # binds nothing there, so the field is the module that arm's forward ran
                end = trained[1]
            # eval() under a condition (`if step % 100 == 0: model.eval()`) with no train() anywhere
            # in the loop: once it has run, every later iteration trains in eval mode
            if end is None or end.kind != "module" or end.training is True:
                continue
            forward = trained[0] if trained is not None else in_eval
            site = record.switch_calls.get(id(call))
            if forward is None and site is not None and (site is not call or not _switch_statement(call)):
                # always in eval mode at the training forward, yet not kept so on purpose: the loop's
                # validation helper also ran once before it (`record = [valid(loader, model)]`), or earlier in each iteration
                # (also a method of another file, `network.get_action(obs)` switching `network.actor`)
                scope = ctx.function if ctx.function is not None else ctx.module_node
                forward = next(
                    (
                        f
                        for f, f_path, module, mode in record.forwards + record.inner_forwards + record.foreign_forwards
                        if ctx.same_object(f_path) == path and mode is True and module.training is False
                    ),
                    None,
                )
                if forward is not None and not validated_before_loop(node, site, forward, path, scope, ctx.module_node):
                    forward = None
            if forward is None or not self._trains(ctx, record, path):
                continue  # not the model this loop trains (a teacher kept in eval mode, say)
            if end.cls is not None and mode_free(end.cls, ctx.lookup):
                continue  # no layer of the model reads the mode: it trains the same in eval mode
            if sequential_mode_free(path, ctx.function if ctx.function is not None else ctx.module_node, ctx.lookup):
                continue  # `nn.Sequential(nn.Linear(...), nn.ReLU(), ...)`: the same
            if runs_on_last_iteration_only(node, site if site is not None else call):
                continue  # `if i + 1 == len(loader): model.eval()`: no later iteration of this loop trains
            self._reported.add(id(call))
            # reported at the `model.eval()` itself, also inside a helper the loop calls (`test(model)`):
            # once, whatever the number of loops that call it
            where = f", run by `{source(site, 40)}`," if site is not None and site is not call else ""
            if site is not None and site is not call and not self._in_file(ctx, call):
                # a hook of a subclass in another file (``on_epoch_end`` overriding the base's, run by
                # the base's ``fit``: see ``subclass_receivers``): reported where this file runs it
                call, where = site, f" runs `{source(call, 40)}` of another file, which"
            self.report(
                ctx,
                call,
                f"`{source(call)}`{where} puts `{path}` in evaluation mode inside the training loop, and nothing puts "
                f"it back: from the next iteration on, the training forward `{source(forward, 40)}` runs with "
                f"dropout off and batch-norm statistics frozen. Call `{path}.train()` at the start of each "
                "training epoch.",
            )
