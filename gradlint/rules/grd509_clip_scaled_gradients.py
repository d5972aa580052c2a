import libcst as cst

from ..analysis.leading_clips import called_helper, leading_clip
from ..analysis.torch_api import GRADIENT_CLIPPERS
from ..rule import Rule, source


class ClipScaledGradients(Rule):
    code = "GRD509"
    name = "clip-scaled-gradients"
    severity = "error"
    summary = "gradients clipped while still multiplied by the GradScaler's loss scale (no scaler.unscale_())"
    requires = (("clip_grad",), ("scale",))

    def __init__(self):
        self._reported = set()

    def on_call(self, node: cst.Call, ctx) -> None:
        if not ctx.state.scaled:
            return
        callee = ctx.value(node.func)
        if callee.kind != "ref" or callee.qual not in GRADIENT_CLIPPERS:
            self._check_helper(node, ctx)
            return
        self.report(
            ctx,
            node,
            f"`{source(node)}` clips gradients that `scaler.scale(loss).backward()` multiplied by the loss "
            "scale (65536 at first, whenever the scaler is enabled): the threshold is compared with scaled norms, so it clips almost "
            "everything, or nothing when the scale shrinks. Call `scaler.unscale_(optimizer)` before clipping.",
        )

    def _check_helper(self, node: cst.Call, ctx) -> None:
        """A helper of the file whose first call clips, called on scaled gradients (``leading_clips``)."""
        function = called_helper(node, ctx)
        clip = leading_clip(function) if function is not None else None
        if clip is None or id(clip) in self._reported:
            return
        self._reported.add(id(clip))
        self.report(
            ctx,
            clip,
            f"`{source(clip)}` clips the gradients `{source(node, 40)}` is called on, which "
            "`scaler.scale(loss).backward()` multiplied by the loss scale with no `scaler.unscale_(optimizer)` "
            "since: the threshold is compared with scaled norms. Call `scaler.unscale_(optimizer)` before clipping.",
        )
