from ..analysis import base_path
from ..analysis.graph_saves import saves_nothing
from ..rule import Rule


class BackwardTwice(Rule):
    code = "GRD504"
    name = "backward-twice"
    severity = "error"
    summary = "a second backward() through a graph an earlier backward() already freed"
    requires = (("backward",),)

    def on_backward(self, node, ctx, receiver) -> None:
        freed = ctx.freed
        if not freed:
            return
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.grad is not True:
            return
        path = base_path(receiver)
        shared = sorted(({path} if path in freed else set()) | (value.deps & freed))
        if shared and all(saves_nothing(name, ctx) for name in shared):
            return  # `gamma = torch.rand(n, requires_grad=True) + 0.1`: nothing freed is needed again
        if not shared:
            return
        carried = [name for name in shared if name in ctx.carried]
        if carried:
            name = carried[0]
            self.report(
                ctx,
                node,
                f"`{name}` enters each iteration holding the previous iteration's graph, which that iteration's "
                "backward() freed: from the second iteration on, this backward() raises \"Trying to backward "
                f"through the graph a second time\". Detach the carried state at the start of each iteration "
                f"(`{name} = {name}.detach()`; for an LSTM's `(h, c)`, detach both).",
            )
            return
        self.report(
            ctx,
            node,
            f"this backward() goes through the graph of `{shared[0]}`, which an earlier backward() already "
            "freed: it raises \"Trying to backward through the graph a second time\". Sum the losses and call "
            "backward() once, recompute the graph, or pass `retain_graph=True` to the earlier backward().",
        )
