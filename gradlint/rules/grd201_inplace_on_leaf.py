import libcst as cst

from ..analysis.inplace_modules import InplaceModules
from ..analysis.torch_api import VIEW_METHODS, is_inplace_function, is_inplace_method
from ..rule import Fix, Rule, source

_FIX = "Wrap the update in `with torch.no_grad():` (or update it through the optimizer)."


class InplaceOnLeaf(Rule):
    code = "GRD201"
    name = "inplace-on-leaf"
    severity = "error"
    raises_where_reported = True
    summary = "in-place write to a leaf tensor that requires grad, outside torch.no_grad()"
    requires = (("requires_grad", "Parameter", "parameters", "weight", "bias", "Variable", ".grad"),)

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        self._check(ctx, node, node.target, f"`{source(node)}`")

    def __init__(self):
        #: paths bound to modules built with ``inplace=True`` (``self.act = nn.ReLU(inplace=True)``)
        self._inplace_modules = InplaceModules()

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        callee = ctx.value(func)
        if callee.kind != "ref" and type(func) is cst.Attribute and is_inplace_method(func.attr.value):
            # `w[[0, 1]].add_(1)` writes into a copy (while `w[[0, 1]] += 1` writes into `w`)
            self._check(ctx, node, func.value, f"`{source(node)}`", views_only=True)
            return
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return
        written = node.args[0].value
        if callee.kind == "ref" and is_inplace_function(callee.qual, node):
            self._check(ctx, node, written, f"`{source(node)}`")
        elif self._inplace_modules.written_by(node, ctx) is not None:
            self._check(ctx, node, written, f"`{source(node)}` (a module built with `inplace=True`)")

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) is cst.Subscript:
            self._check(ctx, target, target.value, f"`{source(target)} = ...`")
            return
        self._inplace_modules.note_binding(target, ctx, value_node)

    def _check(self, ctx, node, written, what: str, views_only: bool = False) -> None:
        if ctx.grad_enabled is not True:
            return
        value, viewed = ctx.value(written), _viewed(written, ctx if views_only else None)
        if views_only and viewed is not written and type(viewed) is cst.Subscript:
            return  # the index may copy (`w[mask]`, `w[idx]`): the write does not reach the leaf
        if value.is_leaf_grad:
            view, what_is_written = "", f"`{source(written, 30)}`, a leaf tensor"
        elif viewed is not written and ctx.value(viewed).is_leaf_grad:
            view, what_is_written = "a view of ", f"a view of `{source(viewed, 30)}`, a leaf tensor"
        elif value.leaf_view and value.is_grad_tensor:
            # `b = w.view(3, -1)` earlier: `b` (or a slice of it) is the view
            view, what_is_written = "a view of ", f"`{source(viewed, 30)}`, a view of a leaf tensor"
        else:
            return
        self.report(
            ctx,
            node,
            f"{what} writes in place to {what_is_written} that requires grad: "
            f"autograd raises \"{view}a leaf Variable that requires grad is being used in an in-place "
            "operation\". " + _FIX,
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


def _viewed(node, views_ctx=None):
    """The tensor that ``w[:, 0]`` or ``w.view(3, -1)[0]`` is a view of (not through ``.data``;
    given the walk ``views_ctx``, only through indexing known to make a view: it stops at
    ``w[[0, 1]]``, ``w[w > 0]``, ``w[idx]`` with ``idx`` a tensor or of unknown kind)."""
    while True:
        if type(node) is cst.Subscript:
            if views_ctx is not None and not views_ctx.indexes_view(node):
                return node
            node = node.value
        elif type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in VIEW_METHODS:
            node = node.func.value
        else:
            return node

