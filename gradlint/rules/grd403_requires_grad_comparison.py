import libcst as cst

from ..rule import Fix, Rule, source
from .grd402_misspelled_requires_grad import is_misspelling


class RequiresGradComparison(Rule):
    code = "GRD403"
    name = "requires-grad-comparison"
    severity = "error"
    summary = "p.requires_grad == False used as a statement compares and discards; it freezes nothing"
    requires = (("==",), ("grad", "Grad"))

    def on_expr_stmt(self, node: cst.Expr, ctx) -> None:
        comparison = node.value
        if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
            return
        target = comparison.comparisons[0]
        if not isinstance(target.operator, cst.Equal):
            return
        left = comparison.left
        if not isinstance(left, cst.Attribute):
            return
        if left.attr.value != "requires_grad" and not is_misspelling(left.attr.value):
            return
        flag = source(target.comparator, 20)
        self.report(
            ctx,
            node,
            f"`{source(comparison)}` is a comparison whose result is thrown away: it does not change "
            f"`{source(left, 40)}`. Use `{source(left.value, 30)}.requires_grad = {flag}`.",
            Fix(
                node,
                cst.Assign(
                    targets=[cst.AssignTarget(target=left.with_changes(attr=cst.Name("requires_grad")))],
                    value=target.comparator,
                    semicolon=node.semicolon,
                ),
            ),
        )
