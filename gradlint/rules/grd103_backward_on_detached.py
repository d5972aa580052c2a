from ..rule import Rule, source


class BackwardOnDetached(Rule):
    code = "GRD103"
    name = "backward-on-detached"
    severity = "error"
    raises_where_reported = True
    summary = "backward() on a value computed only from detached data"
    requires = (("backward",),)

    def on_backward(self, node, ctx, receiver) -> None:
        value = ctx.value(receiver)
        # (cut on some paths only, `cut_somewhere`: a loop kept adding `.item()` values to a constant
        # tensor; on the path that skips the loop the constant does not require grad either)
        if value.kind != "tensor" or value.grad is not False or not (value.cut or value.cut_somewhere):
            return
        self.report(
            ctx,
            node,
            f"`{source(receiver, 40)}` was computed only from values cut out of the graph (`.detach()`, "
            "`.item()`, `.data`, a copy `torch.tensor(t)`, or under `torch.no_grad()`), so it does not require grad and backward() "
            "raises \"element 0 of tensors does not require grad\". Compute it from the graph tensors "
            "themselves, with gradients enabled.",
        )
