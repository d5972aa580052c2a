import libcst as cst

from ..analysis import dotted, kwarg, literal_bool
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

    def __init__(self):
        self._found = {}  # id(call) -> (call, data, name it is bound to or None), in this scope
        #: names used as the inputs of torch.autograd.grad(): leaves made on purpose
        #: (a gradient penalty differentiates with respect to a fresh leaf)
        self._differentiated = set()

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind == "ref" and callee.qual == "torch.autograd.grad":
            inputs = kwarg(node, "inputs") or (node.args[1] if len(node.args) > 1 else None)
            if inputs is not None:
                elements = inputs.value.elements if isinstance(inputs.value, (cst.List, cst.Tuple)) else [inputs]
                self._differentiated.update(dotted(e.value) for e in elements)
            return
        if callee.kind != "ref" or not node.args or node.args[0].keyword is not None:
            return
        if callee.qual not in TENSOR_CONSTRUCTORS and callee.qual != "torch.autograd.Variable":
            return
        requires = kwarg(node, "requires_grad")
        if requires is None or not literal_bool(requires.value):
            return
        data = node.args[0].value
        if _carries_graph_values(ctx.value(data)):
            self._found[id(node)] = (node, data, None)

    def on_assign(self, target, ctx, value_node) -> None:
        found = self._found.get(id(value_node))
        if found is not None:
            self._found[id(value_node)] = (found[0], found[1], dotted(target))

    def on_scope_end(self, node, ctx) -> None:
        for call, data, name in self._found.values():
            if name is not None and name in self._differentiated:
                continue
            self.report(
                ctx,
                call,
                f"`{source(call)}` makes a new leaf from `{source(data, 30)}`, which comes from the autograd "
                "graph: backward() now stops at this leaf and the model's parameters never get a gradient. "
                "Keep the original tensor (drop `.item()`/`.data`/`.detach()` and the re-wrap), or combine "
                "tensors with `torch.stack`/`torch.cat`.",
            )
        self._found.clear()
        self._differentiated.clear()
