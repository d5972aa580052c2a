import libcst as cst

from ..rule import Rule, source


class GradOfNonLeaf(Rule):
    code = "GRD301"
    name = "grad-of-non-leaf"
    severity = "error"
    summary = ".grad read on a non-leaf tensor, which is always None without retain_grad()"
    requires = ((".grad",),)

    def on_attribute(self, node: cst.Attribute, ctx) -> None:
        if node.attr.value != "grad":
            return
        value = ctx.value(node.value)
        if not value.is_nonleaf_grad or value.retains:
            return
        name = source(node.value, 30)
        self.report(
            ctx,
            node,
            f"`{name}.grad` is always None: `{name}` is not a leaf (it is computed by an op), so autograd "
            f"does not keep its gradient. Call `{name}.retain_grad()` before backward(), or read the "
            "gradient of the leaf tensor it was computed from.",
        )
