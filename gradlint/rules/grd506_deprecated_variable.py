import libcst as cst

from ..rule import Rule, source


class DeprecatedVariable(Rule):
    code = "GRD506"
    name = "deprecated-variable"
    severity = "info"
    summary = "torch.autograd.Variable is a no-op wrapper since PyTorch 0.4"
    requires = (("Variable",),)

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind != "ref" or callee.qual != "torch.autograd.Variable":
            return
        self.report(
            ctx,
            node,
            f"`{source(node)}`: `Variable` has been a no-op since PyTorch 0.4 and tensors carry autograd "
            "themselves. Use the tensor directly; `Variable(x, requires_grad=True)` becomes "
            "`x.requires_grad_()`.",
        )
