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
        if value.retains:
            return
        name = source(node.value, 30)
        if _moved_leaf(value):
            self.report(
                ctx,
                node,
                f"`{name}.grad` is None on the GPU this script chooses: `{name}` was made a leaf on the CPU and then "
                "moved with `.to(device)`, which returns a copy made by an op (a non-leaf) whenever the device is "
                "CUDA, so autograd keeps no gradient for it. Create the tensor on the device "
                "(`torch.zeros(..., device=device, requires_grad=True)`) or call `.requires_grad_()` after the move.",
            )
            return
        if not value.is_nonleaf_grad:
            return
        self.report(
            ctx,
            node,
            f"`{name}.grad` is always None: `{name}` is not a leaf (it is computed by an op), so autograd "
            f"does not keep its gradient. Call `{name}.retain_grad()` before backward(), or read the "
            "gradient of the leaf tensor it was computed from.",
        )


def _moved_leaf(value) -> bool:
    """A leaf made on the CPU, moved to a device the run chooses (``analysis.devices``)."""
    return value.kind == "tensor" and value.grad is True and value.leaf is None and value.moved
