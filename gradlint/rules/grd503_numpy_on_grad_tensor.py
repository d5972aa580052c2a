import libcst as cst

from ..rule import Fix, Rule, source


class NumpyOnGradTensor(Rule):
    code = "GRD503"
    name = "numpy-on-grad-tensor"
    severity = "error"
    summary = ".numpy() on a tensor that requires grad, without .detach()"
    requires = (("numpy",),)

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "numpy":
            return
        value = ctx.value(func.value)
        if value.kind != "tensor" or value.grad is not True:
            return
        name = source(func.value, 40)
        self.report(
            ctx,
            node,
            f"`{name}` requires grad, so `{name}.numpy()` raises \"Can't call numpy() on Tensor that requires "
            f"grad\". Use `{name}.detach().numpy()` (add `.cpu()` for a GPU tensor).",
            Fix(node, node.with_changes(func=func.with_changes(value=_call(func.value, "detach")))),
        )


def _call(receiver, method: str) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(method)))
