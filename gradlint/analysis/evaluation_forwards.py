"""The forwards of a loop that evaluate a model, for GRD505 (eval without no_grad).

``evaluation_forwards`` judges the forwards a loop ran itself (``LoopRecord.forwards``), with those of
the functions it calls replayed at their calls. ``helper_evaluations`` adds the forwards a helper of the
file runs in loops of its own and hands back (``loss, pred = self.run_iter(x, y)``: an encoder loop and
a greedy decoding loop over tokens): the call is the evaluation when the caller's loop evaluates.
"""

from __future__ import annotations

import libcst as cst

from .differentiating_forwards import imports_differentiating_forward
from .rebuilt_models import iterated_models, rebuilt_alike
from .submodule_modes import switched_parent


def evaluation_forwards(record, ctx, forwards=None) -> list:
    """(call, module path) of the forwards of the loop's ``record`` (or of ``forwards``, in its form) that
    evaluate: a model in eval mode with parameters, run with gradients enabled."""
    reported = set()
    parents = set()  # `model.eval()`, then `model.lstm(x)` and `model.head(h)`: one evaluation of `model`
    found = []
    # a loop that switches the model back to train() trains it: its eval-mode forward (a sample
    # or a validation step run now and then from a training loop whose backward() is in another
    # file) is not repeated over an evaluation loop, and its graph is dropped each iteration
    trained = {path for _, path, training in record.mode_switches if training is not False}
    # the same, for a method of another file (`agent.calc_action(s)`: `actor.eval()`, the forward,
    # `actor.train()`): its forwards and switches are replayed at the call, the forward without a path
    restored_at = {id(node) for node, _, training in record.mode_switches if training is not False}
    ran = {path for _, path, _, _ in record.forwards}
    for call, path, module, mode in record.forwards if forwards is None else forwards:
        # (a forward replayed without a path whose module's own mode is not known: the caller's model's)
        named = path or (_named_at(call, module, record) if module.training is None else None)
        training, switched = _mode_of(named, module, ctx)
        if mode is not True or training is not False or module.params is not True:
            continue
        if path is None and id(call) in restored_at:
            continue
        if switched != path and (switched in record.bound or switched in trained or switched in ran):
            # the enclosing model whose mode it takes is bound (or trained) in the loop itself, or
            # ran whole here: its own forward is judged, with its own facts (frozen, say)
            continue
        if path in record.bound and not rebuilt_alike(record.node, path) and not iterated_models(record.node, path, ctx.value):
            continue  # a model built in each iteration from what it iterates (a test over model classes)
        if call in reported or path in trained or id(call) in record.made_forwards:
            continue  # a model built in each call of a function the loop calls is not evaluated repeatedly
        if module.cls is None and imports_differentiating_forward(ctx.path, ctx.source):
            continue  # a model of unknown class in a project whose forwards take autograd.grad
        parent = switched_parent(named, ctx.source) if named and f"{named}.eval(" not in ctx.source else None
        if parent is not None and parent in parents:
            continue
        parents.add(parent)
        reported.add(call)
        found.append((call, None if _run_by_subscript(call) else path))
    return found


def _named_at(call, module, record):
    """The caller's path of a submodule a method of another file ran at ``call`` (``model.conv1`` for
    ``self.conv1`` in ``model.feature_extractor(x)``, ``LoopRecord.foreign_forwards``): its mode is that
    of the model the caller switched, ``model.eval()`` before the call."""
    return next((path for node, path, same, _ in record.foreign_forwards if node is call and same is module), None)


def _run_by_subscript(call) -> bool:
    """``models[idx](x)`` / ``models[idx].decoder(z)``: a model taken from a container has no path of
    its own here (the forward's paths are those of the callee's ``self``): it is reported unnamed."""
    func = call.func if type(call) is cst.Call else None
    while type(func) is cst.Attribute:
        func = func.value
    return type(func) is cst.Subscript


def _mode_of(path, module, ctx):
    """The training mode of the module a forward ran: its own, else (a submodule run by a method of
    its model, ``model.decode(z)`` running ``self.decoder``, seen here as ``model.decoder``) that of the
    nearest enclosing module this scope knows, which ``model.eval()`` switched with all its submodules.
    Returns the mode and the path it was read from."""
    if module.training is not None or not path or "." not in path:
        return module.training, path
    # the enclosing modules only: the forward's own module had the mode it had when it ran (the walk's
    # value of that path at the loop's end may be another object's, bound later)
    path = path.rsplit(".", 1)[0]
    while True:
        value = ctx.lookup(path)
        if value is not None and value.kind == "module" and value.training is not None:
            return value.training, path
        if "." not in path:
            return None, path
        path = path.rsplit(".", 1)[0]


def helper_evaluations(record, ctx, skipped: set) -> list:
    """(call, module path, id of the helper) for the calls of the loop whose helper evaluates a model in
    loops of its own and hands the outputs back (``LoopRecord.helper_forwards``), judged as the loop's
    own forwards; not the calls in ``skipped`` (ids), nor those whose helper's loops backpropagate or
    step (a helper that trains in its own loop needs the gradients)."""
    training = {id(call) for call, _ in record.inner_backwards} | {id(call) for call, _, _ in record.inner_steps}
    helpers = {}
    forwards = []
    for call, path, module, mode, helper in record.helper_forwards:
        if id(call) in skipped or id(call) in training:
            continue
        helpers[id(call)] = helper
        forwards.append((call, path, module, mode))
    return [(call, path, helpers[id(call)]) for call, path in evaluation_forwards(record, ctx, forwards)]
