import libcst as cst

from ..analysis import dotted
from ..analysis.syntax import walk
from ..rule import Fix, Rule, source

#: calls only an nn.Module answers (an optimizer has ``state_dict()`` and ``zero_grad()`` too)
_MODULE_ONLY_CALLS = frozenset({"parameters", "named_parameters", "modules", "named_modules", "children"})
_TENSOR_USES = frozenset({"data", "shape", "size", "view", "reshape", "detach", "clone", "grad", "t", "T", "numel"})


class ModuleRequiresGradAttr(Rule):
    code = "GRD401"
    name = "module-requires-grad-attr"
    severity = "error"
    summary = "model.requires_grad = False on an nn.Module sets a plain attribute and freezes nothing"
    requires = (("requires_grad",),)

    def __init__(self):
        self._own_settings = []  # (target, value) of `self.requires_grad = ...` in __init__
        self._used_as_modules = []  # (target, value, fix) of submodules known by their use only

    def on_assign(self, target, ctx, value_node) -> None:
        if not isinstance(target, cst.Attribute) or target.attr.value != "requires_grad":
            return
        value = ctx.value(target.value)
        kind = value.kind
        used_as_module = kind == "unknown" and _used_as_module(target.value, ctx.function)
        if kind != "module" and not used_as_module:
            return
        if value.cls is not None and (value.cls.open_base or "requires_grad" in value.cls.methods):
            # a `requires_grad` property of the class or of a base class (fastNLP's TokenEmbedding:
            # its setter sets every parameter's flag), or a base class that is not known
            return
        fix = None
        statement = ctx.statement
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            call = cst.Call(
                func=cst.Attribute(value=target.value, attr=cst.Name("requires_grad_")), args=[cst.Arg(value_node)]
            )
            fix = Fix(statement, cst.Expr(value=call, semicolon=statement.semicolon))
        if ctx.scope_name == "__init__" and dotted(target.value) == "self":
            if _recorded_argument(ctx.function, value_node):
                return
            self._own_settings.append((target, value_node, fix))
        elif used_as_module:
            self._used_as_modules.append((target, value_node, fix))
        else:
            self._report(ctx, target, value_node, fix)

    def on_file_end(self, node, ctx) -> None:
        for target, value_node, fix in self._own_settings + self._used_as_modules:
            if "requires_grad" not in ctx.loaded_attributes:
                self._report(ctx, target, value_node, fix)
            # else: a module keeping its own requires_grad setting, read back as configuration

    def _report(self, ctx, target, value_node, fix) -> None:
        name = source(target.value, 30)
        flag = source(value_node, 20)
        self.report(
            ctx,
            target,
            f"`{name}` is an nn.Module: `{name}.requires_grad = {flag}` only sets a Python attribute, and "
            f"every parameter keeps its requires_grad. Use `{name}.requires_grad_({flag})`.",
            fix,
        )


def _used_as_module(node, function) -> bool:
    """Whether the function uses the attribute path ``node`` (``self.model.outc``, of a model built
    in another file) as only an nn.Module is used: it reads a ``weight``/``bias`` below it
    (``self.model.outc.conv.weight``: ``conv`` is a layer, and what holds a layer is a module; a
    tensor or a Parameter has no ``weight``), used as a tensor (``.view(...)``, ``.data``: the
    ``weight`` of a configuration is a number), or calls its ``parameters()``/``modules()``/``children()``.
    A plain name counts too (``def freeze(model): model.requires_grad = False`` with
    ``model.parameters()`` below: a tensor has no ``parameters()``), but not ``self``: a class
    whose base the analysis does not know may define and read its own ``requires_grad``."""
    path = dotted(node)
    if function is None or path is None or path == "self":
        return False
    nodes = list(walk(function.body))
    if any(_tests_type_of(current, path) for current in nodes):
        # `if isinstance(module, nn.Parameter): module.requires_grad = False / elif isinstance(module,
        # nn.Module): ... module.parameters()`: the uses are of other kinds the same name may hold
        return False
    for current in nodes:
        if not isinstance(current, cst.Attribute):
            continue
        name, owner = current.attr.value, current.value
        if name in _TENSOR_USES and isinstance(owner, cst.Attribute) and owner.attr.value in ("weight", "bias"):
            if (dotted(owner) or "").startswith(path + "."):
                return True
        if name in _MODULE_ONLY_CALLS and dotted(owner) == path:
            return True
    return False


def _tests_type_of(node, path: str) -> bool:
    """``isinstance(path, ...)``, ``type(path)`` or ``hasattr(path, ...)``: the code asks what ``path`` is."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in ("isinstance", "type", "hasattr")
        and bool(node.args)
        and dotted(node.args[0].value) == path
    )


def _recorded_argument(function, value_node) -> bool:
    """``self.requires_grad = requires_grad`` in ``__init__``, where the constructor's argument also
    drives what it builds (``STFT(..., freeze=not requires_grad)``): the attribute records the
    setting, the freezing happens there (speechbrain's Fbank)."""
    if function is None or not isinstance(value_node, cst.Name):
        return False
    name = value_node.value
    params = function.params
    if name not in {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}:
        return False
    nodes = list(walk(function.body))
    attributes = {id(node.attr) for node in nodes if isinstance(node, cst.Attribute)}
    uses = sum(1 for node in nodes if isinstance(node, cst.Name) and node.value == name and id(node) not in attributes)
    return uses > 1  # read somewhere besides this assignment
