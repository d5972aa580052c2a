import libcst as cst

from ..analysis import literal_bool
from ..rule import Fix, Rule, source

_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Tuple)


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
            self._fix(node),
        )

    @staticmethod
    def _fix(node: cst.Call):
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return None
        wrapped = node.args[0].value
        rest = node.args[1:]
        if not rest:
            return Fix(node, wrapped.with_changes(lpar=node.lpar, rpar=node.rpar) if node.lpar else wrapped)
        if len(rest) == 1 and rest[0].keyword is not None and rest[0].keyword.value == "requires_grad":
            flag = literal_bool(rest[0].value)
            if flag is None:
                return None
            if not isinstance(wrapped, _ATOMS) or wrapped.lpar:
                wrapped = wrapped.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            call = cst.Call(func=cst.Attribute(value=wrapped, attr=cst.Name("requires_grad_")))
            return Fix(node, call if flag else wrapped)
        return None
