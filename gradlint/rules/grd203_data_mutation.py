import libcst as cst

from ..analysis import base_path
from ..rule import Rule, source
from ..analysis.torch_api import is_inplace_method


class DataMutation(Rule):
    code = "GRD203"
    name = "data-mutation"
    severity = "error"
    summary = "write through .data to a tensor the graph saved, before backward(): silently wrong gradients"
    requires = ((".data",), ("backward",))

    def __init__(self):
        self._pending = []
        self._returned = set()  # writes already reported at a return of their forward

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if type(func) is cst.Attribute and is_inplace_method(func.attr.value):
            self._check(ctx, node, ctx.value(func.value).data_of)
        # a helper of the file writing through `.data` into the saved tensor it is given, at its call
        for owner, write in ctx.call_data_writes.get(id(node), {}).items():
            self._pending.append((node, owner, write))

    def on_assign(self, target, ctx, value_node) -> None:
        if type(target) is cst.Attribute and target.attr.value == "data":
            self._check(ctx, target, base_path(target.value))
        elif type(target) is cst.Subscript:
            self._check(ctx, target, ctx.value(target.value).data_of)

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        self._check(ctx, node, ctx.value(node.target).data_of)

    def _check(self, ctx, node, owner) -> None:
        if owner is None or owner not in ctx.saved:
            return
        value = ctx.lookup(owner)
        if value is not None and value.is_grad_tensor or value is None and _trained_layer_parameter(owner, ctx):
            self._pending.append((node, owner, None))

    def on_backward(self, node, ctx, receiver) -> None:
        for write, owner, inside in self._pending:
            where = f" (by `{source(inside, 40)}` inside it)" if inside is not None else ""
            self.report(
                ctx,
                write,
                f"`{source(write)}` modifies `{owner}` through `.data`{where} after the graph saved it and before "
                "backward(): autograd cannot see the change and silently computes wrong gradients. "
                "Use an out-of-place op, or modify it after backward() under `torch.no_grad()` "
                "(with `.detach()` autograd would at least detect the conflict).",
            )
        self._pending.clear()

    def on_return(self, node: cst.Return, ctx) -> None:
        if ctx.scope_name != "forward" or ctx.current_class is None or node.value is None or not self._pending:
            return
        # a local activation written through `.data` after the op that made it saved it (`gate =
        # logits.sigmoid(); g = gate.data; g.clamp_(...)`), returned in the forward's output (`x *
        # gate`): that op is in the output's graph, so its backward, wherever it runs, uses the new values
        returned = ctx.value(node.value)
        if returned.kind != "tensor":
            return
        for write, owner, inside in self._pending:
            value = ctx.lookup(owner)
            if (
                inside is None
                and "." not in owner
                and owner in returned.deps
                and value is not None
                and value.saves_self
                and id(write) not in self._returned
            ):
                self._returned.add(id(write))
                self.report(
                    ctx,
                    write,
                    f"`{source(write)}` modifies `{owner}` through `.data` inside forward(), after the op that made it "
                    "saved it for backward: the forward's output is computed from it, so the backward() of that "
                    "output silently uses the modified values and computes wrong gradients. Compute the new value out "
                    "of place (`torch.clamp(...)`), or let autograd see the change (`.detach()` would make it raise).",
                )

    def on_scope_end(self, node, ctx) -> None:
        if ctx.scope_name == "forward" and ctx.current_class is not None:
            # an in-place write inside a module's forward, after an op of that forward saved the parameter
            # (`cos = F.linear(x, self.weight)`, then `self.weight.data.copy_(F.normalize(...))`: AMSoftmax
            # #1): the backward() of the forward's output, wherever it runs, uses the new values. (Not
            # `self.weight.data = ...`, which rebinds the parameter to new storage: a view the op saved
            # (`F.linear` and `x @ w.t()` save `w.t()`) keeps the old one, so the gradients do not change;
            # an op that saved the parameter itself (`w * w`) does see the new values: that case is left
            # silent, checked with torch 2.13.)
            for write, owner, inside in self._pending:
                if inside is None and owner.startswith("self.") and type(write) is not cst.Attribute:
                    self.report(
                        ctx,
                        write,
                        f"`{source(write)}` modifies `{owner}` through `.data` inside forward(), after an op of this "
                        "forward saved it for backward: autograd cannot see the change, so the backward() of this "
                        "forward's output silently computes wrong gradients. Compute the new value out of place "
                        "(`w = F.normalize(self.weight, dim=1)`), or update the parameter after backward() under "
                        "`torch.no_grad()`.",
                    )
        self._pending.clear()


def _trained_layer_parameter(path: str, ctx) -> bool:
    """``emb.weight`` / ``self.fc.bias`` of a torch layer whose parameters train (``nn.Embedding``,
    ``nn.Linear``): a parameter, a leaf that requires grad, though no statement of the walk bound it."""
    owner, _, name = path.rpartition(".")
    module = ctx.lookup(owner) if owner else None
    return (
        name in ("weight", "bias")
        and module is not None
        and module.kind == "module"
        and module.params is True
        and module.cls is None
        and module.qual.startswith("torch.nn.")
    )
