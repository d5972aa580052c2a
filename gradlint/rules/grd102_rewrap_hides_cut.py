import libcst as cst

from ..analysis import dotted, kwarg, literal_bool
from ..rule import Rule, source
from ..analysis.torch_api import TENSOR_CONSTRUCTORS


#: ``X.item()``, ``X.detach()``, ``X.data``: what a tensor's value is taken out of it with
_EXTRACTIONS = frozenset({"item", "tolist", "detach", "data"})


def _extracted(data) -> bool:
    if type(data) is cst.Call and not data.args:
        data = data.func
    return type(data) is cst.Attribute and data.attr.value in _EXTRACTIONS


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
        #: id(call) -> (call, data, name): a leaf made from a value taken out of a tensor whose graph is not
        #: known; reported when that leaf itself is backpropagated (see ``on_backward``)
        self._rewrapped = {}

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
        elif _extracted(data):
            self._rewrapped[id(node)] = (node, data, None)

    def on_assign(self, target, ctx, value_node) -> None:
        for table in (self._found, self._rewrapped):
            found = table.get(id(value_node))
            if found is not None:
                table[id(value_node)] = (found[0], found[1], dotted(target))

    def on_backward(self, node, ctx, receiver) -> None:
        """``loss = torch.tensor(loss.item(), requires_grad=True); loss.backward()``: whatever ``loss``
        was before, the backward() starts at a leaf made in this function from a plain value, so it
        reaches nothing but that leaf: no parameter gets a gradient (the re-wrap is how code silences
        "element 0 of tensors does not require grad" after a cut upstream)."""
        name = dotted(receiver)
        if name is None:
            return
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.leaf is not True:
            return
        for key, (call, data, bound) in list(self._rewrapped.items()):
            if bound == name:
                self._found[key] = self._rewrapped.pop(key)

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
        self._rewrapped.clear()
        self._differentiated.clear()
