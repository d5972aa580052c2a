import libcst as cst

from ..analysis import base_path
from ..rule import Rule, source
from ..analysis.torch_api import GRAD_SOURCE_TEXT, is_inplace_method


class InplaceOnSavedTensor(Rule):
    code = "GRD202"
    name = "inplace-on-saved-tensor"
    severity = "error"
    summary = "in-place write to a grad tensor that an earlier op saved for backward"
    requires = (GRAD_SOURCE_TEXT,)

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        self._check(ctx, node, node.target)

    def on_assign(self, target, ctx, value_node) -> None:
        if isinstance(target, cst.Subscript):
            self._check(ctx, target, target.value)

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and is_inplace_method(func.attr.value):
            self._check(ctx, node, func.value)

    def _check(self, ctx, node, written) -> None:
        if ctx.grad_enabled is not True:
            return
        path = base_path(written)
        if path is None or path not in ctx.saved:
            return
        value = ctx.value(written)
        if value.kind != "tensor" or value.struct or value.data_of or value.is_leaf_grad:
            return  # an in-place write to a leaf that requires grad is GRD201's
        self.report(
            ctx,
            node,
            f"`{source(node)}` overwrites `{path}` in place, but an earlier op saved `{path}` to compute "
            "gradients: backward() raises \"one of the variables needed for gradient computation has been "
            "modified by an inplace operation\". Use an out-of-place op (`y = y * 2`), or build the result "
            "with `torch.stack`/`torch.cat`.",
        )
