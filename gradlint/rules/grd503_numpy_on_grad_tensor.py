import libcst as cst

from ..analysis.syntax import walk
from ..analysis.torch_api import MPL_AXES, NUMPY_TENSOR_METHOD_DISPATCH, PYPLOT_DATA_FUNCTIONS
from ..rule import Fix, Rule, source


class NumpyOnGradTensor(Rule):
    code = "GRD503"
    name = "numpy-on-grad-tensor"
    severity = "error"
    raises_where_reported = True
    summary = ".numpy() on a tensor that requires grad, without .detach()"
    requires = (("numpy", "matplotlib", "pyplot"),)

    def on_call(self, node: cst.Call, ctx) -> None:
        if ctx.grad_enabled is False:
            # torch refuses the conversion only while gradients are enabled: under `no_grad()` /
            # `inference_mode()` a leaf that requires grad converts (a PINN's `t_f`, plotted there)
            return
        func = node.func
        if type(func) is not cst.Attribute or func.attr.value != "numpy":
            self._check_conversion(node, ctx)
            return
        value = ctx.value(func.value)
        every = None if value.kind == "tensor" and value.grad is True else _over_every_element(node, func.value, ctx)
        if every is False:
            return
        name = source(func.value, 40)
        # `x.cpu().numpy()` is on the CPU already
        on_gpu = "" if name.endswith(".cpu()") else " (add `.cpu()` for a GPU tensor)"
        self.report(
            ctx,
            node,
            f"{every or f'`{name}` requires grad'}, so `{name}.numpy()` raises \"Can't call numpy() on Tensor that "
            f"requires grad\". Use `{name}.detach().numpy()`{on_gpu}.",
            Fix(node, node.with_changes(func=func.with_changes(value=_call(func.value, "detach")))),
        )


    def _check_conversion(self, node: cst.Call, ctx) -> None:
        """numpy functions and pyplot plots given grad tensors convert them with ``.numpy()``."""
        callee = ctx.value(node.func)
        if callee.kind != "ref":
            return
        library, _, name = callee.qual.rpartition(".")
        if library.split(".", 1)[0] == "numpy":
            tensor_ok = name in NUMPY_TENSOR_METHOD_DISPATCH  # np.mean(t) raises a TypeError instead
        elif library in ("matplotlib.pyplot", MPL_AXES) and name in PYPLOT_DATA_FUNCTIONS:
            tensor_ok = False
        else:
            return
        for arg in node.args:
            if arg.keyword is not None or arg.star:
                continue
            value = ctx.value(arg.value)
            holds = value.kind == "seq" and value.has_grad is True
            if holds or (value.is_grad_tensor and not value.struct and not tensor_ok):
                what = "holds tensors that require grad" if holds else "requires grad"
                self.report(
                    ctx,
                    node,
                    f"`{source(node, 50)}` converts `{source(arg.value, 30)}`, which {what}, to a numpy array: "
                    "it raises \"Can't call numpy() on Tensor that requires grad\". Convert the values first "
                    "(`loss.item()` for each loss, or `.detach()`).",
                )
                return


def _call(receiver, method: str) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(method)))


def _over_every_element(call: cst.Call, receiver, ctx):
    """``[m.numpy() for m in metrics]`` with ``metrics`` a list that holds a tensor requiring grad
    (``[loss, loss, acc]``): the comprehension converts every element, so it reaches that one
    (the joined element alone may not require grad: ``acc`` does not). The words saying so, else False."""
    if type(receiver) is not cst.Name:
        return False
    for comp in walk(ctx.function or ctx.module_node):
        if type(comp) not in (cst.ListComp, cst.GeneratorExp, cst.SetComp):
            continue
        loop = comp.for_in
        if loop.inner_for_in is not None or loop.ifs or type(loop.target) is not cst.Name:
            continue
        if loop.target.value != receiver.value or not any(part is call for part in walk(comp.elt)):
            continue
        iterable = ctx.value(loop.iter)
        if iterable.kind == "seq" and iterable.has_grad is True:
            return f"`{source(loop.iter, 30)}` holds a tensor that requires grad and the comprehension converts every element"
        return False
    return False
