import libcst as cst

from ..rule import Rule, source


class DataAttribute(Rule):
    code = "GRD204"
    name = "data-attribute"
    severity = "info"
    summary = ".data read or written: changes hidden from autograd; prefer .detach() / torch.no_grad()"
    requires = ((".data",),)

    def on_attribute(self, node: cst.Attribute, ctx) -> None:
        if node.attr.value == "data" and not _is_grad(node.value) and not _without_grad(ctx, node.value):
            self._report(ctx, node)

    def on_assign(self, target, ctx, value_node) -> None:
        if isinstance(target, cst.Attribute) and target.attr.value == "data" and not _is_grad(target.value):
            if ctx.value(target.value).kind == "tensor" and not _without_grad(ctx, target.value):
                self._report(ctx, target)

    def _report(self, ctx, node) -> None:
        name = source(node.value, 30)
        self.report(
            ctx,
            node,
            f"`{name}.data` bypasses autograd: changes through it are invisible to the graph and can "
            f"silently corrupt gradients. Use `{name}.detach()` to read, or write under `torch.no_grad()`.",
        )


def _is_grad(node) -> bool:
    """``p.grad``: a gradient never requires grad itself, so its ``.data`` hides nothing from autograd."""
    return isinstance(node, cst.Attribute) and node.attr.value == "grad"


def _without_grad(ctx, node) -> bool:
    """A tensor known not to require grad (computed under no_grad, an input batch), or a gradient read
    through a name (``g = param.grad``): its ``.data`` hides nothing from autograd."""
    value = ctx.value(node)
    return value.kind == "tensor" and value.grad is False or value.gradient
