import libcst as cst

from ..analysis import dotted
from ..analysis.tensor_uses import DROPPED_MOVES, used_as_tensor
from ..analysis.torch_api import TENSOR_RESULT_ONLY_METHODS, canonical, is_loss
from ..rule import Fix, Rule, source


def _in_place_call(node) -> bool:
    """``x.copy_(y)``, ``x.add_(y)``: a call of an in-place tensor method (trailing underscore)."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return False
    name = node.func.attr.value
    return name.endswith("_") and not name.endswith("__")


def _torch_loss(ctx):
    """Whether a call of the scope is one of torch's losses, as the scope's names stand now
    (``criterion = nn.CrossEntropyLoss()``, ``F.cross_entropy``)."""

    def consumes(call: cst.Call) -> bool:
        if dotted(call.func) is None:
            return False
        callee = ctx.value(call.func)
        qual = canonical(callee.qual) if callee.kind in ("ref", "module") and callee.qual else ""
        # an instance of a loss class, or a loss function (not the class: its arguments are settings)
        return is_loss(qual) and (callee.kind == "module" or qual.startswith("torch.nn.functional."))

    return consumes


class DiscardedTensorResult(Rule):
    code = "GRD507"
    name = "discarded-tensor-result"
    severity = "error"
    summary = "an out-of-place tensor method as a statement (`h.detach()`, `x.to(device)`): its result is thrown away"
    #: a notebook shows the value of a cell's last expression: nothing is thrown away there
    shown_value_is_used = True

    def on_expr_stmt(self, node: cst.Expr, ctx) -> None:
        call = node.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        method = call.func.attr.value
        if method not in TENSOR_RESULT_ONLY_METHODS:
            return
        if method == "type" and not call.args:
            return  # `t.type()` with no dtype is a query: it returns the type's name, a string
        receiver = call.func.value
        if _in_place_call(receiver):
            return  # `p.data.copy_(x).view(s)`: the statement's work is the in-place call before it
        if _temporary(receiver):
            # `attn(value.double(), shapes).detach()` (a smoke test of an op): no name holds the tensor,
            # so nobody can expect it changed; the statement runs the call for its own sake
            return
        if any(arg.keyword is not None and arg.keyword.value == "inplace" for arg in call.args):
            return  # `td.reshape(shape, inplace=True)` (a TensorDict): the object's own in-place form
        value = ctx.value(receiver)
        # of unknown kind, or a batch that may be a structure (a dict, a BatchEncoding)
        unknown = value.kind == "unknown" or value.kind == "tensor" and value.struct
        if unknown and type(receiver) is cst.Name and ctx.lookup(receiver.value) is not None:
            # a parameter or once-bound name of unknown kind that its scope uses as only a tensor can be used
            scope = ctx.function or ctx.module_node
            if method not in DROPPED_MOVES or not used_as_tensor(
                scope, receiver.value, ctx.module_node, _torch_loss(ctx), apart=node
            ):
                return
        elif value.kind != "tensor" or value.struct:
            return  # a module's .to()/.cuda() moves it in place; a container's may too
        name = source(receiver, 30)
        in_place = f" (or `{name}.{method}_()`)" if method in ("detach", "clamp", "clip", "abs", "neg", "mul", "add") else ""
        self.report(
            ctx,
            node,
            f"`{source(call)}` returns a new tensor and this statement throws it away: `{name}` itself is "
            f"unchanged (a tensor method without a trailing underscore never modifies its tensor). Assign the "
            f"result: `{name} = {source(call, 40)}`{in_place}.",
            self._fix(node, receiver, ctx),
        )

    @staticmethod
    def _fix(node: cst.Expr, receiver, ctx):
        if dotted(receiver) is None or ctx.statement_line is None:
            return None
        assign = cst.Assign(targets=[cst.AssignTarget(target=receiver)], value=node.value)
        # unsafe: the program now uses the converted tensor, which is the point but changes behaviour
        return Fix(node, assign, safe=False)


def _temporary(receiver) -> bool:
    """The receiver is a value no name holds: a call's result (``f(x).detach()``), an arithmetic
    result, or a part of one (``f(x)[0].float()``). Not a name, an attribute path, or a part of one."""
    while type(receiver) in (cst.Attribute, cst.Subscript):
        receiver = receiver.value
    return type(receiver) is not cst.Name

