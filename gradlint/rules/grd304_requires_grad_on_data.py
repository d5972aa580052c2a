import libcst as cst

from ..analysis import kwarg, literal_bool
from ..rule import Rule, source
from ..torch_api import FACTORIES


class RequiresGradOnData(Rule):
    code = "GRD304"
    name = "requires-grad-on-data"
    severity = "info"
    summary = "requires_grad=True on a tensor used only as a model input or target"
    requires = (("requires_grad",),)

    def __init__(self):
        self._created = {}  # name -> creating assignment target
        self._loads = {}  # name -> ids of its loads
        self._model_inputs = set()  # ids of names passed straight to a module call

    def on_assign(self, target, ctx, value_node) -> None:
        if not isinstance(target, cst.Name) or not isinstance(value_node, cst.Call):
            return
        callee = ctx.value(value_node.func)
        requires = kwarg(value_node, "requires_grad")
        if callee.kind == "ref" and callee.qual in FACTORIES and requires is not None and literal_bool(requires.value):
            self._created[target.value] = target
            self._loads[target.value] = []
        else:
            self._created.pop(target.value, None)

    def on_name(self, node: cst.Name, ctx) -> None:
        loads = self._loads.get(node.value)
        if loads is not None and node.value in self._created:
            loads.append(id(node))

    def on_call(self, node: cst.Call, ctx) -> None:
        if ctx.value(node.func).kind == "module":
            for arg in node.args:
                if isinstance(arg.value, cst.Name):
                    self._model_inputs.add(id(arg.value))

    def on_scope_end(self, node, ctx) -> None:
        for name, target in self._created.items():
            loads = self._loads.get(name) or []
            if loads and all(load in self._model_inputs for load in loads):
                self.report(
                    ctx,
                    target,
                    f"`{name}` is created with `requires_grad=True` but only ever fed to a model or loss, and "
                    f"its `.grad` is never read: autograd computes and stores a gradient for it on every "
                    "backward() for nothing. Drop `requires_grad=True`.",
                )
        self._created.clear()
        self._loads.clear()
        self._model_inputs.clear()
