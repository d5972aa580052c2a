import libcst as cst

from ..rule import Fix, Rule, source
from ..analysis.torch_api import is_inplace_method

_FIX = "Wrap the update in `with torch.no_grad():` (or update it through the optimizer)."


class InplaceOnLeaf(Rule):
    code = "GRD201"
    name = "inplace-on-leaf"
    severity = "error"
    summary = "in-place write to a leaf tensor that requires grad, outside torch.no_grad()"
    requires = (("requires_grad", "Parameter", "parameters", "weight", "bias", "Variable"),)

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        self._check(ctx, node, node.target, f"`{source(node)}`")

    def on_assign(self, target, ctx, value_node) -> None:
        if isinstance(target, cst.Subscript):
            self._check(ctx, target, target.value, f"`{source(target)} = ...`")

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and is_inplace_method(func.attr.value):
            self._check(ctx, node, func.value, f"`{source(node)}`")

    def _check(self, ctx, node, written, what: str) -> None:
        if ctx.grad_enabled is not True:
            return
        value = ctx.value(written)
        if not value.is_leaf_grad:
            return
        self.report(
            ctx,
            node,
            f"{what} writes in place to `{source(written, 30)}`, a leaf tensor that requires grad: "
            "autograd raises \"a leaf Variable that requires grad is being used in an in-place operation\". "
            + _FIX,
            self._fix(ctx),
        )

    @staticmethod
    def _fix(ctx):
        line, alias = ctx.statement_line, ctx.torch_alias()
        if line is None or alias is None:
            return None
        no_grad = cst.Call(func=cst.Attribute(value=cst.Name(alias), attr=cst.Name("no_grad")))
        wrapped = cst.With(
            items=[cst.WithItem(item=no_grad)],
            body=cst.IndentedBlock(body=[line.with_changes(leading_lines=[])]),
            leading_lines=line.leading_lines,
        )
        # unsafe: the statement no longer records anything for autograd
        return Fix(line, wrapped, safe=False)
