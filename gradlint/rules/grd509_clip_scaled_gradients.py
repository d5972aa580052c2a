import libcst as cst

from ..analysis.torch_api import GRADIENT_CLIPPERS
from ..rule import Rule, source


class ClipScaledGradients(Rule):
    code = "GRD509"
    name = "clip-scaled-gradients"
    severity = "error"
    summary = "gradients clipped while still multiplied by the GradScaler's loss scale (no scaler.unscale_())"
    requires = (("clip_grad",), ("scale",))

    def on_call(self, node: cst.Call, ctx) -> None:
        if not ctx.state.scaled:
            return
        callee = ctx.value(node.func)
        if callee.kind != "ref" or callee.qual not in GRADIENT_CLIPPERS:
            return
        self.report(
            ctx,
            node,
            f"`{source(node)}` clips gradients that `scaler.scale(loss).backward()` multiplied by the loss "
            "scale (65536 at first, whenever the scaler is enabled): the threshold is compared with scaled norms, so it clips almost "
            "everything, or nothing when the scale shrinks. Call `scaler.unscale_(optimizer)` before clipping.",
        )
