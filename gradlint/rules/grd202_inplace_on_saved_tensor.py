import libcst as cst

from ..analysis import base_path, dotted
from ..analysis.dropped_graphs import never_backpropagated
from ..analysis.summaries import hands_back
from ..rule import Rule, source
from ..analysis.inplace_modules import InplaceModules, overwritten_members
from ..analysis.torch_api import GRAD_SOURCE_TEXT, VIEW_METHODS, is_inplace_function, is_inplace_method


class InplaceOnSavedTensor(Rule):
    code = "GRD202"
    name = "inplace-on-saved-tensor"
    severity = "error"
    summary = "in-place write to a grad tensor that an earlier op saved for backward"
    requires = (GRAD_SOURCE_TEXT,)

    def __init__(self):
        self._inplace_modules = InplaceModules()
        #: id -> name node evaluated when the name was saved (an argument is evaluated before its call)
        self._saved_before = {}
        #: id(function) or None (the module's code) -> [(write node, written path)] until the scope ends
        self._pending = {}
        #: ids of the functions walked now that return something that may carry a graph
        self._handing_back = set()
        #: (id of the scope, path) written in place while a leaf that requires grad: that write raised
        self._raised = set()

    def on_name(self, node: cst.Name, ctx) -> None:
        if self._inplace_modules.any() and node.value in ctx.saved:
            if len(self._saved_before) > 10_000:
                self._saved_before.clear()
            self._saved_before[id(node)] = node

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        self._check(ctx, node, node.target)

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) is cst.Subscript:
            self._check(ctx, target, target.value)
        else:
            self._inplace_modules.note_binding(target, ctx, value_node)

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        for member in overwritten_members(node, ctx):
            self.report(
                ctx,
                member,
                f"`{source(member, 40)}` overwrites in place the output the layer before it in this `nn.Sequential` "
                "keeps for backward: backward raises \"one of the variables needed for gradient computation has been "
                "modified by an inplace operation\". Drop `inplace=True` here.",
            )
        written = self._inplace_modules.written_by(node, ctx)
        if written is not None:
            # `x = self.act(x)` with `self.act = nn.ReLU(inplace=True)`, `x` saved before the call (by
            # `identity = self.skip(x)`; the activation itself saves what it writes): see ``on_name``
            if self._saved_before.get(id(written)) is written:
                self._check(ctx, node, written)
            return
        if type(func) is cst.Attribute and is_inplace_method(func.attr.value) and ctx.value(func.value).kind != "ref":
            # (`torch.relu_(h)` writes its argument, not `torch`: below)
            if not _viewed_base(func.value, ctx)[1]:
                return  # `x[mask].zero_()` writes into the copy indexing made, not into `x`
            self._note_raising(ctx, func.value)
            self._check(ctx, node, func.value)
            return
        if dotted(func) is None or not node.args:
            return  # (a callee that is no dotted name is not evaluated again here: a call in it would run twice)
        callee = ctx.value(func)
        if callee.kind == "ref" and node.args and node.args[0].keyword is None and not node.args[0].star:
            if is_inplace_function(callee.qual, node) and _writes_when_run(callee.qual, node):
                # `F.dropout(h, 0.3, inplace=True)`, `torch.relu_(h)`: the function writes its first argument
                written = node.args[0].value
                if _viewed_base(written, ctx)[1]:
                    self._note_raising(ctx, written)
                    self._check(ctx, node, written)

    def _note_raising(self, ctx, written) -> None:
        """An in-place write to a leaf that requires grad raises there (GRD201): a later write to the
        same name in this scope is not reached (pytorch #727: ``x = F.relu(x, inplace=True)`` on such
        a leaf, then ``F.dropout(x, inplace=True)``)."""
        path = dotted(written)  # (a name or a field: evaluating it again runs no call)
        if path is not None and ctx.grad_enabled is True and ctx.value(written).is_leaf_grad:
            scope = ctx.function
            self._raised.add((id(scope) if scope is not None else None, path))

    def _check(self, ctx, node, written) -> None:
        if ctx.grad_enabled is not True:
            return
        path = base_path(written)
        if path is None or path not in ctx.saved:
            return
        scope = ctx.function
        if (id(scope) if scope is not None else None, path) in self._raised:
            return  # an earlier in-place write to it raised already
        value, base = ctx.value(written), ctx.value(_viewed_base(written, ctx)[0])
        if value.kind != "tensor" or value.struct or value.data_of or value.is_leaf_grad:
            return  # an in-place write to a leaf that requires grad is GRD201's
        if value.output_part:
            return  # an element of a model output that no loss showed to carry the graph: unknown
        if base.is_leaf_grad:
            return  # so is one through a view of such a leaf (`w[0].zero_()`)
        # judged when the scope ends: whether anything can still backpropagate the graph
        scope = ctx.function
        self._pending.setdefault(id(scope) if scope is not None else None, []).append((node, path))

    def on_return(self, node: cst.Return, ctx) -> None:
        # a caller may backpropagate what the function returns (hands_back: not numbers, not tensors
        # known to need no grad)
        if ctx.function is not None and node.value is not None and hands_back(ctx.value(node.value)):
            self._handing_back.add(id(ctx.function))

    def on_scope_end(self, node, ctx) -> None:
        key = id(node) if node is not None else None
        handed = key in self._handing_back
        self._handing_back.discard(key)
        for write, path in self._pending.pop(key, ()):
            if not handed and never_backpropagated(path, node, ctx):
                # `probs[rows, labels] = 0` on a softmax output only read by `argmax` in a scope that
                # never backpropagates: the saved graph is dropped unused, nothing raises
                continue
            self._report(ctx, write, path)

    def _report(self, ctx, node, path) -> None:
        self.report(
            ctx,
            node,
            f"`{source(node)}` overwrites `{path}` in place, but an earlier op saved `{path}` to compute "
            "gradients: backward() raises \"one of the variables needed for gradient computation has been "
            "modified by an inplace operation\". Use an out-of-place op (`y = y * 2`), or build the result "
            "with `torch.stack`/`torch.cat`.",
        )



def _writes_when_run(qual: str, call: cst.Call) -> bool:
    """A functional dropout writes in place only in training mode (its ``training`` argument, third
    positional, True by default): ``F.dropout(h, p, training=False, inplace=True)`` returns ``h``."""
    if "dropout" not in qual.rpartition(".")[2]:
        return True
    training = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "training"), None)
    positional = [arg for arg in call.args if arg.keyword is None]
    if training is None and len(positional) > 2:
        training = positional[2].value
    return not (type(training) is cst.Name and training.value == "False")


def _viewed_base(node, ctx):
    """The tensor ``node`` is a view of (as ``base_path`` walks), and whether every index on the
    way is known to make a view (``x[0]``, ``x[:, 1:]``) rather than a copy (``x[mask]``)."""
    views = True
    while True:
        if type(node) is cst.Subscript:
            views = views and ctx.indexes_view(node)
            node = node.value
        elif type(node) is cst.Attribute and node.attr.value in ("data", "T", "mT"):
            node = node.value
        elif type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in VIEW_METHODS:
            node = node.func.value
        else:
            return node, views

