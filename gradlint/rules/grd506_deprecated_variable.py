import libcst as cst

from ..analysis import literal_bool
from ..analysis.torch_api import FACTORIES
from ..rule import Fix, Rule, source

_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Tuple)
#: factories that may hand back their argument itself rather than a new tensor
_MAY_ALIAS = frozenset({"torch.as_tensor", "torch.asarray"})


class DeprecatedVariable(Rule):
    code = "GRD506"
    name = "deprecated-variable"
    severity = "info"
    summary = "torch.autograd.Variable is a deprecated wrapper: Variable(t) is t.detach()"
    requires = (("Variable",),)

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind != "ref" or callee.qual != "torch.autograd.Variable":
            return
        self.report(
            ctx,
            node,
            f"`{source(node)}`: `Variable` is deprecated since PyTorch 0.4: `Variable(t)` returns `t.detach()` "
            "(same storage, no graph) and `Variable(t, requires_grad=True)` returns "
            "`t.detach().requires_grad_()`. Write that, or use the tensor directly when no detaching is meant.",
            self._fix(node, ctx),
        )

    @staticmethod
    def _fix(node: cst.Call, ctx):
        """The behaviour-preserving spelling: a detached alias, unless the tensor is new and cannot require grad."""
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return None
        wrapped = node.args[0].value
        rest = node.args[1:]
        if not rest:
            flag = False
        elif len(rest) == 1 and rest[0].keyword is not None and rest[0].keyword.value == "requires_grad":
            flag = literal_bool(rest[0].value)
            if flag is None:
                return None
        else:
            return None
        if not _fresh_without_grad(wrapped, ctx):
            wrapped = _method(wrapped, "detach")
        elif flag and (not isinstance(wrapped, _ATOMS) or wrapped.lpar):
            wrapped = wrapped.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        new = _method(wrapped, "requires_grad_") if flag else wrapped
        if node.lpar:
            new = new.with_changes(lpar=node.lpar, rpar=node.rpar)
        return Fix(node, new)


def _fresh_without_grad(node: cst.BaseExpression, ctx) -> bool:
    """A tensor nothing else refers to and that does not require grad: detaching it changes nothing."""
    if ctx.value(node).grad is not False or ctx.value(node).kind != "tensor":
        return False
    if isinstance(node, cst.Call):
        callee = ctx.value(node.func)
        return callee.kind == "ref" and callee.qual in FACTORIES and callee.qual not in _MAY_ALIAS
    return isinstance(node, (cst.BinaryOperation, cst.UnaryOperation))


def _method(value: cst.BaseExpression, name: str) -> cst.Call:
    if not isinstance(value, _ATOMS) or value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Call(func=cst.Attribute(value=value, attr=cst.Name(name)))
