import libcst as cst

from ..analysis import kwarg, literal_bool
from ..analysis.backprop_sources import computed_only_from
from ..analysis.lazy_caches import cached_once
from ..analysis.optional_cuts import optional_cut
from ..analysis.read_only_uses import only_read
from ..analysis.returned_backprops import backpropagated_alone
from ..analysis.syntax import walk
from ..analysis.torch_api import is_loss
from ..rule import Fix, Rule, source
from ..analysis.torch_api import TENSOR_CONSTRUCTORS


class TensorFromGraphValues(Rule):
    code = "GRD101"
    name = "tensor-from-graph-values"
    severity = "error"
    summary = "torch.tensor() built from grad tensors copies their values out of the autograd graph"
    requires = (("tensor", "Tensor", "Variable"),)

    def __init__(self):
        #: id(call) -> call: ``torch.tensor([...])`` of values whose graph is not known, in this scope
        self._packed = {}
        #: name -> call: a name bound to a value computed from such a call alone
        self._bound = {}

    def on_scope_end(self, node, ctx) -> None:
        self._packed.clear()
        self._bound.clear()

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) is not cst.Name:
            return
        call = self._source_call(value_node, ctx)
        if call is None:
            self._bound.pop(target.value, None)
        else:
            self._bound[target.value] = call

    def on_backward(self, node, ctx, receiver) -> None:
        """``loss = torch.tensor([lp * r for ...]).sum(); loss.backward()``: what the elements were is
        not known, but the tensor built from them never requires grad, so a backward() of a value
        computed from it alone raises "element 0 of tensors does not require grad": the packing cut
        the graph the code meant to backpropagate."""
        call = self._source_call(receiver, ctx)
        if call is None or self._packed.pop(id(call), None) is None:
            return
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.grad is not False:
            return
        self._report(ctx, call, [call.args[0].value], " (backpropagating it raises \"element 0 of tensors does not require grad\")")

    def on_return(self, node, ctx) -> None:
        """``return torch.tensor(losses).mean()``, and a caller backpropagates the result alone
        (``loss = total_loss(model, batch)``, ``loss.backward()``): the backward raises as it would
        in one scope, and the pitfall is the packing here."""
        if node.value is None or ctx.function is None:
            return
        call = self._source_call(node.value, ctx)
        if call is None or id(call) not in self._packed:
            return
        value = ctx.value(node.value)
        if value.kind != "tensor" or value.grad is not False:
            return
        cls = ctx.current_class.name if ctx.current_class is not None else None
        if backpropagated_alone(ctx, ctx.function, cls):
            del self._packed[id(call)]
            why = f" (a caller backpropagates what `{ctx.function.name.value}` returns, which raises \"element 0 of tensors does not require grad\")"
            self._report(ctx, call, [call.args[0].value], why)

    def _source_call(self, node, ctx):
        def plain(operand) -> bool:
            value = ctx.value(operand)
            return value.kind == "number" or value.kind == "tensor" and value.grad is False

        for call in self._packed.values():
            if computed_only_from(node, call, plain) is not None:
                return call
        for name, call in self._bound.items():
            if computed_only_from(node, name, plain) is not None:
                return call
        return None

    def on_call(self, node: cst.Call, ctx) -> None:
        callee = ctx.value(node.func)
        if callee.kind != "ref" or not node.args:
            return
        if callee.qual not in TENSOR_CONSTRUCTORS and callee.qual != "torch.autograd.Variable":
            return
        requires = kwarg(node, "requires_grad")
        if requires is not None and literal_bool(requires.value):
            return  # re-wrapping as a new leaf is GRD102's pitfall
        if requires is not None and literal_bool(requires.value) is False:
            # `Variable(x_natural + delta, requires_grad=False)`: the author asks for a constant (an
            # adversarial example fed back to the model), so the cut is what was wanted
            return
        data = node.args[0]
        if data.keyword is not None or data.star:
            return
        graph_values = self._graph_values(data.value, callee.qual, ctx)
        if graph_values and callee.qual == "torch.autograd.Variable" and _loss_target(node, ctx):
            return  # a target held constant on purpose (distillation, mutual learning): no gradient is wanted there
        if graph_values and callee.qual == "torch.autograd.Variable" and optional_cut(node, ctx.statement, ctx.function, ctx.module_node):
            return  # `if self.args.static: x = Variable(x)`: a freeze a flag of the run switches on
        if graph_values and _detached_at_once(node, ctx):
            return  # `Variable(self.mix).data`: the expression itself asks for a constant
        if graph_values and cached_once(node, ctx.statement, ctx.function):
            return  # kept in a field filled on the first call only: a graph there would be stale
        if not graph_values:
            if callee.qual != "torch.autograd.Variable" and _packs_unknown_values(data.value, ctx):
                self._packed[id(node)] = node
            return
        if only_read(node, ctx.statement, ctx.function or ctx.module_node):
            return  # the values are printed, logged or compared: no gradient was meant to flow through the copy
        self._report(ctx, node, graph_values)

    def _report(self, ctx, node: cst.Call, graph_values, why: str = "") -> None:
        callee = ctx.value(node.func)
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
            f"history{why}: no gradient flows back through it, and backward() fails or trains nothing. "
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


def _packs_unknown_values(data, ctx) -> bool:
    """A list, tuple or comprehension of values not known to be free of the graph (nor literals)."""
    if isinstance(data, (cst.List, cst.Tuple)):
        elements = [element.value for element in data.elements]
    elif isinstance(data, (cst.ListComp, cst.GeneratorExp)):
        elements = [data.elt]
    else:
        value = ctx.value(data)
        # a list the code filled (`losses.append(...)`): its elements are what it was filled with
        return type(data) is cst.Name and value.kind == "seq" and not _free_value(value.elem)
    return any(not _graph_free(element, ctx) for element in elements)


def _graph_free(node, ctx) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    return _free_value(ctx.value(node))


def _free_value(value) -> bool:
    return value is not None and (value.kind in ("number", "none") or value.kind == "tensor" and value.grad is False)


#: attributes and methods that take their receiver out of the graph
_DETACHING = frozenset({"data", "detach", "detach_", "item", "tolist", "numpy"})


def _detached_at_once(call: cst.Call, ctx) -> bool:
    """The statement takes the copy out of the graph at once (``Variable(self.mix).data``,
    ``torch.tensor(values).detach()``): no gradient could flow through it with the tensor itself
    either, so the cut is what the author asks for (a constant weight), not a graph lost by mistake."""
    statement = ctx.statement
    if statement is None:
        return False
    return any(
        type(node) is cst.Attribute and node.value is call and node.attr.value in _DETACHING
        for node in walk(statement, prune=(cst.Lambda,))
    )


#: losses whose second argument is an input the loss differentiates, not a target
_TWO_INPUT_LOSSES = ("triplet", "margin_ranking", "marginranking", "cosine_embedding", "cosineembedding")


def _loss_target(call: cst.Call, ctx) -> bool:
    """``call`` lies inside the target argument of a torch loss of the statement
    (``kl(F.log_softmax(out_i, 1), F.softmax(Variable(out_j), 1))``, ``F.mse_loss(pred, target=...)``):
    the loss's gradient flows back through its input, and a detached target is what a distillation or
    mutual-learning loss wants, so the cut hides no error and trains everything it should."""
    statement = ctx.statement
    if statement is None:
        return False
    for node in walk(statement, prune=(cst.Lambda,)):
        if type(node) is not cst.Call or node is call:
            continue
        target = _target_argument(node)
        if target is None or not any(inner is call for inner in walk(target)):
            continue
        callee = ctx.value(node.func)
        if callee.kind == "ref" or callee.kind == "module" and callee.cls is None:
            qual = callee.qual or ""
            name = qual.rsplit(".", 1)[-1].lower()
            if is_loss(qual) and not any(part in name for part in _TWO_INPUT_LOSSES):
                return True
    return False


def _target_argument(call: cst.Call):
    keyword = kwarg(call, "target")
    if keyword is not None:
        return keyword.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[1].value if len(positional) >= 2 and positional[1] is call.args[1] else None
