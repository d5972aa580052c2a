import libcst as cst

from ..analysis import dotted
from ..rule import Fix, Rule, source


class ModuleRequiresGradAttr(Rule):
    code = "GRD401"
    name = "module-requires-grad-attr"
    severity = "error"
    summary = "model.requires_grad = False on an nn.Module sets a plain attribute and freezes nothing"
    requires = (("requires_grad",),)

    def __init__(self):
        self._own_settings = []  # (target, value) of `self.requires_grad = ...` in __init__

    def on_assign(self, target, ctx, value_node) -> None:
        if not isinstance(target, cst.Attribute) or target.attr.value != "requires_grad":
            return
        if ctx.value(target.value).kind != "module":
            return
        fix = None
        statement = ctx.statement
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            call = cst.Call(
                func=cst.Attribute(value=target.value, attr=cst.Name("requires_grad_")), args=[cst.Arg(value_node)]
            )
            fix = Fix(statement, cst.Expr(value=call, semicolon=statement.semicolon))
        if ctx.scope_name == "__init__" and dotted(target.value) == "self":
            self._own_settings.append((target, value_node, fix))
        else:
            self._report(ctx, target, value_node, fix)

    def on_file_end(self, node, ctx) -> None:
        for target, value_node, fix in self._own_settings:
            if "requires_grad" not in ctx.loaded_attributes:
                self._report(ctx, target, value_node, fix)
            # else: a module keeping its own requires_grad setting, read back as configuration

    def _report(self, ctx, target, value_node, fix) -> None:
        name = source(target.value, 30)
        flag = source(value_node, 20)
        self.report(
            ctx,
            target,
            f"`{name}` is an nn.Module: `{name}.requires_grad = {flag}` only sets a Python attribute, and "
            f"every parameter keeps its requires_grad. Use `{name}.requires_grad_({flag})`.",
            fix,
        )
