import libcst as cst

from ..rule import Rule, source


class LossHistoryAccumulation(Rule):
    code = "GRD502"
    name = "loss-history-accumulation"
    severity = "warning"
    summary = "a grad tensor accumulated across iterations of a training loop keeps every graph alive"
    requires = (("backward",),)

    def __init__(self):
        self._candidates = {}  # id(loop node) -> [(node, accumulator name)]

    def on_augassign(self, node: cst.AugAssign, ctx) -> None:
        if isinstance(node.target, cst.Name) and ctx.value(node.target).kind in ("number", "tensor", "unknown"):
            self._consider(ctx, node, node.target.value, node.value)

    def on_assign(self, target, ctx, value_node) -> None:
        # total = total + loss
        if (
            isinstance(target, cst.Name)
            and isinstance(value_node, cst.BinaryOperation)
            and isinstance(value_node.operator, cst.Add)
        ):
            for mine, added in ((value_node.left, value_node.right), (value_node.right, value_node.left)):
                if isinstance(mine, cst.Name) and mine.value == target.value:
                    self._consider(ctx, value_node, target.value, added)

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "append"
            and isinstance(func.value, cst.Name)
            and len(node.args) == 1
        ):
            self._consider(ctx, node, func.value.value, node.args[0].value)

    def _consider(self, ctx, node, name: str, added) -> None:
        loop = ctx.loop
        if loop is None or ctx.grad_enabled is not True or name not in loop.entry or name in loop.bound:
            return  # not carried over from before the loop, or started afresh in this iteration
        value = ctx.value(added)
        if value.kind == "tensor" and value.grad is True and not value.struct:
            self._candidates.setdefault(id(loop.node), []).append((node, name, added))

    def on_loop_end(self, node, ctx, record) -> None:
        self._report_stores(ctx, record)
        candidates = self._candidates.pop(id(node), ())
        for found, name, added in candidates:
            if not any(path != name for _, path in record.backwards):
                continue  # the accumulated value is what gets backpropagated: deliberate
            self.report(
                ctx,
                found,
                f"`{source(found)}` keeps `{source(added, 30)}`, a tensor with its autograd graph, in `{name}` "
                "across iterations of a training loop: every iteration's graph stays alive and memory grows. "
                f"Accumulate `{source(added, 30)}.item()` (or `.detach()`) instead.",
            )

    def _report_stores(self, ctx, record) -> None:
        """``meter.update(loss)`` whose method adds the tensor into the object: the object keeps every graph."""
        reported = set()
        for call, path in record.stores:
            owner = path.split(".", 1)[0] if path else None
            if call is None or id(call) in reported or owner not in record.entry or owner in record.bound:
                continue
            if not record.backwards:
                continue
            reported.add(id(call))
            self.report(
                ctx,
                call,
                f"`{source(call)}` stores a tensor with its autograd graph into `{path}`, an object that "
                "outlives the iteration: every iteration's graph stays alive and memory grows. Pass "
                "`.item()` (or `.detach()`) of the loss instead.",
            )
