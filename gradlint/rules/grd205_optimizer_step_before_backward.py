from ..analysis import base_path
from ..rule import Rule, source


class OptimizerStepBeforeBackward(Rule):
    code = "GRD205"
    name = "optimizer-step-before-backward"
    severity = "error"
    summary = "optimizer.step() between building a graph from its parameters and that graph's backward()"
    requires = (("step",), ("backward",))

    def on_backward(self, node, ctx, receiver) -> None:
        stale = ctx.state.stale
        value = ctx.value(receiver)
        if value.kind != "tensor" or value.grad is not True or not (stale or value.stale):
            return
        path = base_path(receiver)
        freed = ctx.freed
        if freed and (path in freed or value.deps & freed):
            # a graph an earlier backward() freed raises first ("backward through the graph a second
            # time", GRD504), before any saved parameter's version is checked
            return
        hits = sorted(({path} & stale) | (value.deps & stale))
        if not hits and not value.stale:
            return
        if hits:
            through = f"`{hits[0]}`, whose graph saved parameters that an optimizer step() has since updated"
        else:  # returned by a call that stepped afterwards, or passed in as an argument
            through = (
                f"`{source(receiver, 30)}`, computed from a graph whose saved parameters an optimizer "
                "step() has since updated"
            )
        self.report(
            ctx,
            node,
            f"`{source(node)}` backpropagates through {through} in place: backward raises \"one of the variables needed for "
            "gradient computation has been modified by an inplace operation\". Call every backward() before "
            "the step()s, or recompute the graph after the step.",
        )
