from ..rule import Rule, source


class EvalWithoutNoGrad(Rule):
    code = "GRD505"
    name = "eval-without-no-grad"
    severity = "warning"
    summary = "forward passes in an evaluation loop after model.eval() without torch.no_grad()"
    requires = (("eval", "train"),)

    def on_loop_end(self, node, ctx, record) -> None:
        if record.backwards or record.steps:
            return  # a training loop
        reported = set()
        for call, path, module, mode in record.forwards:
            if mode is not True or module.training is not False or module.params is not True:
                continue
            if path in reported or path in record.bound:
                continue  # a model built in each iteration is not evaluated repeatedly
            reported.add(path)
            name = path or source(call.func, 30)
            self.report(
                ctx,
                call,
                f"`{source(call)}` runs after `{name}.eval()` with gradients enabled: every output requires "
                "grad and keeps its activations for a backward() that never comes. Wrap the evaluation loop in "
                "`with torch.no_grad():` (or `torch.inference_mode()`).",
            )
