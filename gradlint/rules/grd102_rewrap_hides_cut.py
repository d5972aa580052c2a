import libcst as cst

from ..analysis import kwarg, literal_bool
from ..rule import Rule, source
from ..analysis.torch_api import TENSOR_CONSTRUCTORS


def _carries_graph_values(value) -> bool:
    if value.kind == "seq":
        return bool(value.has_grad) or (value.elem is not None and value.elem.cut)
    return value.is_grad_tensor or value.cut


class RewrapHidesCut(Rule):
    code = "GRD102"
    name = "rewrap-hides-cut"
    severity = "error"
    summary = "a graph value re-wrapped as a new leaf (requires_grad=True) silences the cut: nothing trains"
    requires = (("requires_grad",),)

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind != "ref" or not node.args or node.args[0].keyword is not None:
            return
        if callee.qual not in TENSOR_CONSTRUCTORS and callee.qual != "torch.autograd.Variable":
            return
        requires = kwarg(node, "requires_grad")
        if requires is None or not literal_bool(requires.value):
            return
        data = node.args[0].value
        if not _carries_graph_values(ctx.value(data)):
            return
        self.report(
            ctx,
            node,
            f"`{source(node)}` makes a new leaf from `{source(data, 30)}`, which comes from the autograd "
            "graph: backward() now stops at this leaf and the model's parameters never get a gradient. "
            "Keep the original tensor (drop `.item()`/`.data`/`.detach()` and the re-wrap), or combine "
            "tensors with `torch.stack`/`torch.cat`.",
        )
