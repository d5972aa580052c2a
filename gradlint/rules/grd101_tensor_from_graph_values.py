import libcst as cst

from ..analysis import kwarg, literal_bool
from ..rule import Fix, Rule, source
from ..analysis.torch_api import TENSOR_CONSTRUCTORS


class TensorFromGraphValues(Rule):
    code = "GRD101"
    name = "tensor-from-graph-values"
    severity = "error"
    summary = "torch.tensor() built from grad tensors copies their values out of the autograd graph"
    requires = (("tensor", "Tensor", "Variable"),)

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind != "ref" or not node.args:
            return
        if callee.qual not in TENSOR_CONSTRUCTORS and callee.qual != "torch.autograd.Variable":
            return
        requires = kwarg(node, "requires_grad")
        if requires is not None and literal_bool(requires.value):
            return  # re-wrapping as a new leaf is GRD102's pitfall
        data = node.args[0]
        if data.keyword is not None or data.star:
            return
        graph_values = self._graph_values(data.value, callee.qual, ctx)
        if not graph_values:
            return
        names = ", ".join(f"`{source(v, 30)}`" for v in graph_values[:3])
        if callee.qual == "torch.autograd.Variable":
            self.report(
                ctx,
                node,
                f"`{source(node, 40)}` returns {names} detached (under PyTorch 2, `Variable(t)` is `t.detach()`): "
                "no gradient flows back through it, and backward() fails or trains nothing. Use the tensor itself.",
            )
            return
        self.report(
            ctx,
            node,
            f"`{source(node.func)}(...)` copies the values of {names} into a new tensor with no autograd "
            "history: no gradient flows back through it, and backward() fails or trains nothing. "
            "Use `torch.stack(...)` or `torch.cat(...)` to combine grad tensors.",
            self._fix(node),
        )

    @staticmethod
    def _fix(node: cst.Call):
        func = node.func
        if len(node.args) != 1 or not isinstance(func, cst.Attribute):
            return None
        if not isinstance(node.args[0].value, (cst.List, cst.Tuple, cst.ListComp)):
            return None
        # unsafe: stack needs tensors of one shape, and it keeps their dtype
        return Fix(node, node.with_changes(func=func.with_changes(attr=cst.Name("stack"))), safe=False)

    @staticmethod
    def _graph_values(data, qual, ctx) -> list:
        if isinstance(data, (cst.List, cst.Tuple)):
            found = []
            for element in data.elements:
                value = ctx.value(element.value)
                if value.is_grad_tensor or (value.kind == "seq" and value.has_grad):
                    found.append(element.value)
            return found
        value = ctx.value(data)
        if value.kind == "seq" and value.has_grad:
            return [data.elt] if isinstance(data, (cst.ListComp, cst.GeneratorExp)) else [data]
        if value.is_grad_tensor and qual in ("torch.tensor", "torch.autograd.Variable"):
            return [data]
        return []
