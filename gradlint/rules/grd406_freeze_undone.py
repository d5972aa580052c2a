import libcst as cst

from ..analysis import dotted, within
from ..rule import Rule, header


class FreezeUndone(Rule):
    code = "GRD406"
    name = "freeze-undone"
    severity = "error"
    summary = "a partial freeze undone by a later unfreeze of every parameter, before any training"
    requires = (("requires_grad",),)

    def __init__(self):
        self._frozen = []  # (owner path, whole, node): freezes not yet followed by training
        #: unfreezes in a function undoing its callers' freezes, reported once the function trains
        self._inherited = []  # (node, message)

    def on_freeze(self, node, ctx, event) -> None:
        owner = event.owner
        if event.requires_grad is False:
            self._frozen.append((owner, event.whole, node))
            return
        if event.requires_grad is not True or not event.whole or not event.unconditional:
            return
        if event.inherited:
            path, text = event.inherited[0]
            self._inherited.append(
                (
                    event.at or node,
                    f"this unfreezes every parameter of `{owner}`, undoing the freeze of `{path}` (`{text}`) "
                    "made by the caller before this call, before any training: the layers meant to stay frozen "
                    f"train too. Unfreeze only what should train (`{owner}.<part>.requires_grad_(True)`).",
                )
            )
        undone = [
            (path, frozen_node)
            for path, whole, frozen_node in self._frozen
            if path.startswith(owner + ".") or (path == owner and not whole)
        ]
        self._frozen = [f for f in self._frozen if not within(f[0], owner)]
        if undone and not event.handed:
            # (a replay at the call of a function that trains: its own walk judges the unfreeze)
            path, frozen_node = undone[0]
            # reported where the flag is set: the `p.requires_grad = True` inside an unfreeze loop, not
            # its `for` header (the line a reader names as the one that undoes the freeze)
            self.report(
                ctx,
                event.at or node,
                f"this unfreezes every parameter of `{owner}`, undoing the earlier freeze of "
                f"`{path}` (`{header(frozen_node, 40)}`) before any training: the layers meant to stay frozen "
                f"train too. Unfreeze only what should train (`{owner}.<part>.requires_grad_(True)`).",
            )

    def on_backward(self, node, ctx, receiver) -> None:
        self._frozen.clear()  # training ran: a later unfreeze is deliberate (gradual unfreezing)
        self._trained(ctx)

    def _trained(self, ctx) -> None:
        for at, message in self._inherited:
            self.report(ctx, at, message)
        self._inherited.clear()

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if self._inherited and (
            id(node) in ctx.training_calls
            or isinstance(func, cst.Attribute)
            and func.attr.value == "step"
            and ctx.value(func.value).kind == "optimizer"
        ):
            self._trained(ctx)
        if not self._frozen:
            return
        if isinstance(func, cst.Attribute) and func.attr.value in ("step", "fit", "train_step"):
            self._frozen.clear()
            return
        callee = ctx.value(func)
        if callee.kind in ("ref", "module", "builtin"):
            return
        # a function of this file, or an object's method, given the model may train it
        arguments = [dotted(arg.value) for arg in node.args]
        if callee.kind == "func" or any(
            path is not None and any(within(path, owner.split(".")[0]) for owner, _, _ in self._frozen)
            for path in arguments
        ):
            self._frozen.clear()

    def on_scope_end(self, node, ctx) -> None:
        self._frozen.clear()
        self._inherited.clear()
