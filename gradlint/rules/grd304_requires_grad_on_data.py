import libcst as cst

from ..analysis import kwarg, literal_bool
from ..rule import Rule
from ..analysis.torch_api import FACTORIES


class RequiresGradOnData(Rule):
    code = "GRD304"
    name = "requires-grad-on-data"
    severity = "info"
    summary = "requires_grad=True on a tensor used only as a model input or target"
    requires = (("requires_grad",),)

    def __init__(self):
        self._scope = _Uses()
        #: the module's names are read by functions too, which are walked after it
        self._module = None
        #: ids of the names ``x`` of ``x.grad is None`` / ``x.grad is not None`` checks
        self._grad_checks = set()

    def on_assign(self, target, ctx, value_node) -> None:
        if isinstance(target, cst.Attribute) and target.attr.value == "requires_grad":
            if isinstance(target.value, cst.Name) and literal_bool(value_node) is True:
                self._marked(target.value, target, ctx)  # x.requires_grad = True
            return
        if not isinstance(target, cst.Name):
            return
        if isinstance(value_node, cst.Call) and _creates_data_leaf(value_node, ctx):
            self._scope.created[target.value] = target
            self._scope.loads[target.value] = []
        else:
            self._scope.created.pop(target.value, None)

    def on_comparison(self, node: cst.Comparison, ctx) -> None:
        checked = _grad_none_check(node)
        if checked is not None:
            self._grad_checks.add(id(checked))

    def on_name(self, node: cst.Name, ctx) -> None:
        if id(node) in self._grad_checks:
            return  # `x.grad is None` reads no gradient: it is not a use of x
        for uses in (self._scope, self._module):
            if uses is not None and node.value in uses.created:
                uses.loads[node.value].append(id(node))
                return

    def _marked(self, name_node: cst.Name, node, ctx) -> None:
        """``x.requires_grad_()`` / ``x.requires_grad = True`` on a data tensor ``x``."""
        before = ctx.value(name_node)  # the value the walk computed before the change
        if before.kind == "tensor" and before.grad is False and not before.cut:
            self._scope.created[name_node.value] = node
            self._scope.loads[name_node.value] = []

    def on_call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "requires_grad_" and isinstance(func.value, cst.Name):
            if not node.args or literal_bool(node.args[0].value) is True:
                self._marked(func.value, node, ctx)
                return
        fed = [arg.value for arg in node.args if id(arg.value) in ctx.fed_to_models]
        for name in fed:  # `train(x, y, model, ...)` whose body only feeds its `x` to the model
            self._scope.model_inputs.add(id(name))
            if self._module is not None:
                self._module.model_inputs.add(id(name))
        callee = ctx.value(func)
        forward = isinstance(func, cst.Attribute) and func.attr.value == "forward" and ctx.value(func.value).kind == "module"
        if callee.kind == "module" or forward:
            for arg in node.args:
                if isinstance(arg.value, cst.Name):
                    self._scope.model_inputs.add(id(arg.value))
                    if self._module is not None:
                        self._module.model_inputs.add(id(arg.value))

    def on_scope_end(self, node, ctx) -> None:
        if node is None:  # the module: wait for the functions
            self._module, self._scope = self._scope, _Uses()
        else:
            self._report(ctx, self._scope)
            self._scope = _Uses()

    def on_file_end(self, node, ctx) -> None:
        if self._module is not None:
            self._report(ctx, self._module)

    def _report(self, ctx, uses) -> None:
        for name, target in uses.created.items():
            loads = uses.loads.get(name) or []
            if loads and all(load in uses.model_inputs for load in loads):
                self.report(
                    ctx,
                    target,
                    f"`{name}` is made to require grad but only ever fed to a model or loss, and nothing uses its "
                    "`.grad`: autograd computes and stores a gradient for it on every backward() for nothing. "
                    "Drop `requires_grad=True` (or the `requires_grad_()` call).",
                )


class _Uses:
    def __init__(self):
        self.created = {}  # name -> creating assignment target
        self.loads = {}  # name -> ids of its loads
        self.model_inputs = set()  # ids of names passed straight to a module call


def _creates_data_leaf(node: cst.Call, ctx) -> bool:
    callee = ctx.value(node.func)
    requires = kwarg(node, "requires_grad")
    return callee.kind == "ref" and callee.qual in FACTORIES and requires is not None and literal_bool(requires.value)


def _grad_none_check(node: cst.Comparison):
    """The name ``x`` of ``x.grad is None`` or ``x.grad is not None``, else None."""
    if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Is, cst.IsNot)):
        return None
    for side, other in ((node.left, node.comparisons[0].comparator), (node.comparisons[0].comparator, node.left)):
        if isinstance(other, cst.Name) and other.value == "None" and isinstance(side, cst.Attribute):
            if side.attr.value == "grad" and isinstance(side.value, cst.Name):
                return side.value
    return None
