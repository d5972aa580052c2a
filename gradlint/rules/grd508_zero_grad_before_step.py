import libcst as cst

from ..analysis import dotted
from ..rule import Rule, source


class ZeroGradBeforeStep(Rule):
    code = "GRD508"
    name = "zero-grad-before-step"
    severity = "error"
    summary = "gradients cleared between backward() and step(): the step applies no gradient"
    requires = (("zero_grad",), ("step",), ("backward",))

    def __init__(self):
        #: ``X.zero_grad()`` calls of this scope since its last backward(), by the path of ``X``: the
        #: line a finding is reported at (the clear is the cause; the step only finds nothing to apply)
        self._clears = {}

    def on_backward(self, node, ctx, receiver) -> None:
        self._clears.clear()

    def on_scope_end(self, node, ctx) -> None:
        self._clears.clear()

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "zero_grad":
            path = dotted(func.value)
            if path is not None:
                self._clears[path] = node
            return
        for path in ctx.call_clears.get(id(node), ()):
            self._clears[path] = node  # `reset(optimizer)`, whose body clears: the call is the mistake
        if not isinstance(func, cst.Attribute) or func.attr.value != "step":
            return
        cleared = ctx.state.cleared
        if not cleared:
            return
        receiver = ctx.value(func.value)
        if receiver.kind == "optimizer" and not node.args:
            optimizer_node, optimizer = func.value, receiver
        elif receiver.kind == "scaler" and node.args:
            optimizer_node, optimizer = node.args[0].value, ctx.value(node.args[0].value)
        else:
            return  # a step(closure) recomputes the gradients itself
        if optimizer.kind != "optimizer":
            return
        path, owner = dotted(optimizer_node), optimizer.owner
        clear = next(
            (c for c in sorted(cleared) if c == path or (owner is not None and (c == owner or owner.startswith(c + ".")))),
            None,
        )
        if clear is None:
            return
        site = self._clears.get(clear)
        if site is None:  # cleared by a helper, or through another name: reported at the step
            self.report(
                ctx,
                node,
                f"`{source(node)}` runs after `{clear}.zero_grad()` cleared the gradients the last backward() "
                "computed, with no backward() in between: the step applies no gradient and nothing trains. Clear "
                "the gradients before backward() (or after step()).",
            )
            return
        self.report(
            ctx,
            site,
            f"`{source(site)}` clears the gradients the last backward() computed before `{source(node)}`, with no "
            "backward() in between: the step applies no gradient and nothing trains. Clear the gradients before "
            "backward() (or after step()).",
        )
