import libcst as cst

from ..analysis import dotted, within
from ..analysis import torch_api as api
from ..analysis.torch_api import SELECTED_PARAMETERS
from ..analysis.syntax import walk
from ..analysis.submodule_saves import carried_paths
from ..analysis.upstream_models import unfrozen_upstream
from ..rule import Rule, source

_FREEZE_HELPER_WORDS = ("freeze", "trainable", "requires_grad")


def _spelt(path: str) -> str:
    """``model[-1]`` for the path ``model.-1`` of a member of a container (``syntax.member_path``)."""
    head, *rest = path.split(".")
    return head + "".join(f"[{part}]" if part.lstrip("-").isdigit() else f".{part}" for part in rest)


class UnfrozenBackbone(Rule):
    code = "GRD405"
    name = "unfrozen-backbone"
    severity = "warning"
    summary = "optimizer over part of a model whose other parameters still require grad"
    requires = (("optim",), ("parameters",))

    def __init__(self):
        self._optimizers = []  # (node, owner path of its parameters or None)
        self._classes = {}  # id of an optimizer's node -> the class whose method built it
        self._trained_calls = {}  # module path called whole with grad enabled -> its value
        self._touched = set()  # module paths whose requires_grad something may change
        self._stepped = set()  # paths of the optimizers whose step() the file calls
        self._fed_from = {}  # module path called with grad enabled -> the modules its inputs went through
        self._backprop_through = set()  # the modules the file's backward() calls backpropagate through
        self._backprop_seen = False

    def on_call(self, node: cst.Call, ctx) -> None:
        stepped = _stepped_optimizer(node, ctx)
        if stepped is not None:
            self._stepped.add(stepped)
        value = ctx.value(node)
        if value.kind == "optimizer" and _returned_by_own_method(node, value, ctx):
            return  # `model.configure_optimizers()`: recorded where the method builds it, in `self` terms
        if value.kind == "optimizer":
            params = node.args[0].value if node.args and node.args[0].keyword is None else None
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "params":
                    params = arg.value
            owner = ctx.value(params).owner if params is not None and ctx.value(params).kind == "params" else None
            if owner is None and len(value.owners) > 1 and value.qual != SELECTED_PARAMETERS:
                # `Adam(list(model.decoder.parameters()) + list(model.bn.parameters()))` (RD4AD #33)
                owner = frozenset(value.owners)
            if any(built is node for built, _ in self._optimizers):
                return  # the same construction walked again (a method run for its caller)
            self._optimizers.append((node, owner or _all_but(params, ctx)))
            self._classes[id(node)] = ctx.current_class if ctx.function is not None else None
            # a model a caller froze part of before handing it here (``train(build_model(), loader)``)
            self._touched.update(ctx.callers_frozen())
            return
        for trained, module in ctx.call_forwards.get(id(node), ()):
            # `train(model, loader, optimizer)` of another file (or this one) ran the model with gradients
            self._trained_calls.setdefault(trained, module)
        callee = ctx.value(node.func)
        path = dotted(node.func)
        if callee.kind == "module" and callee.params is True and ctx.grad_enabled is True and path:
            self._trained_calls[path] = callee
            # what the module's inputs went through (also the tensors a list or tuple of them holds)
            fed = carried_paths((ctx.value(arg.value) for arg in node.args), with_through=True)
            self._fed_from.setdefault(path, set()).update(fed - {path})
        elif callee.kind != "ref" and path and any(w in path.lower() for w in _FREEZE_HELPER_WORDS):
            for arg in node.args:
                arg_path = dotted(arg.value)
                if arg_path:
                    self._touched.add(arg_path)

    def on_assign(self, target, ctx, value_node) -> None:
        # `encoder.requires_grad = False` on a module: a freeze meant there (GRD401 reports that it
        # does nothing), not an encoder left trainable by oversight
        if type(target) is cst.Attribute and target.attr.value == "requires_grad":
            path = dotted(target.value)
            if path is not None and ctx.value(target.value).kind == "module":
                self._touched.add(path)

    def on_backward(self, node, ctx, receiver) -> None:
        value = ctx.value(receiver)
        self._backprop_seen = True
        if value.kind == "tensor" and value.grad is True:
            self._backprop_through.update(value.through)

    def on_freeze(self, node, ctx, event) -> None:
        if event.requires_grad is not True:
            self._touched.add(event.owner)

    def on_file_end(self, node, ctx) -> None:
        if len(self._optimizers) != 1 or len(self._stepped) > 1:
            # two optimizers stepped: the one built here over a part, and another one (a field a
            # base class of another file built, `self.optimizer = SGD(self.model.parameters())`)
            # whose parameters are not known here and may cover the rest of the model
            return
        optimizer, owner = self._optimizers[0]
        owner = self._as_instance(optimizer, owner)
        if isinstance(owner, tuple):
            self._report_all_but(ctx, optimizer, *owner)
            return
        if isinstance(owner, frozenset):
            if not self._report_parts(ctx, optimizer, sorted(owner)):
                self._report_upstream(ctx, optimizer, owner)
            return
        if owner is not None and "." not in owner:
            self._report_upstream(ctx, optimizer, frozenset({owner}))
        if owner is None or "." not in owner:
            return
        model = next(
            (m for m in sorted(self._trained_calls, key=len, reverse=True) if owner.startswith(m + ".")), None
        )
        if model is None:
            return
        if any(t == model or t.startswith(model + ".") or model.startswith(t + ".") for t in self._touched):
            return
        trained = self._trained_calls[model]
        part = owner[len(model) + 1 :].split(".")
        if part[0] == "module" and (trained.cls is None or "module" not in trained.cls.attrs):
            # `model.module` of a DataParallel/DDP `model` is the whole wrapped model
            part = part[1:]
            if not part:
                return
        if not self._has_other_parameters(trained, part[0]):
            return
        self.report(
            ctx,
            optimizer,
            f"`{source(optimizer)}` updates only `{_spelt(owner)}`, but the rest of `{model}` still requires grad: "
            "every backward() computes gradients for parameters no optimizer uses. Freeze them first: "
            f"`{model}.requires_grad_(False)` then `{_spelt(owner)}.requires_grad_(True)`.",
        )

    def _as_instance(self, optimizer, owner):
        """``self.head`` of an optimizer a method of the model's own class built
        (``configure_optimizers(self)``): the head of the one instance of that class the file trains
        whole (``model = ProbeModel(); ... model(x)``), unless something in the file may change the
        requires_grad of a ``self`` field (the class freezing its encoder in ``__init__``)."""
        cls = self._classes.get(id(optimizer))
        owners = owner if isinstance(owner, frozenset) else frozenset({owner}) if isinstance(owner, str) else frozenset()
        if cls is None or not owners or not all(o.startswith("self.") for o in owners):
            return owner
        if any(t == "self" or t.startswith("self.") for t in self._touched):
            return owner
        models = {
            path
            for path, value in self._trained_calls.items()
            if value.cls is not None and value.cls.name == cls.name and not path.startswith("self")
        }
        if len(models) != 1:
            return owner
        model = models.pop()
        moved = frozenset(model + o[len("self") :] for o in owners)
        return moved if isinstance(owner, frozenset) else next(iter(moved))

    def _report_upstream(self, ctx, optimizer, owners: frozenset) -> None:
        """Separate models: the optimizer's are trained on the output of another one nothing freezes."""
        model = unfrozen_upstream(self, owners)
        if model is None:
            return
        trained = ", ".join(f"`{_spelt(o)}`" for o in sorted(owners))
        self.report(
            ctx,
            optimizer,
            f"`{source(optimizer, 60)}` updates only {trained}, trained on the output of `{_spelt(model)}`, which "
            "still requires grad: every backward() computes gradients for its parameters, which no optimizer "
            f"uses. Freeze it: `{_spelt(model)}.requires_grad_(False)`.",
        )

    def _report_all_but(self, ctx, optimizer, model: str, left_out: str) -> None:
        """An optimizer over every parameter of ``model`` but those of ``left_out``, a part of it that
        nothing freezes, with ``model`` run whole with gradients."""
        trained = self._trained_calls.get(model)
        if trained is None or any(t == model or within(t, model) or within(model, t) for t in self._touched):
            return
        field = trained.cls.attrs.get(left_out[len(model) + 1 :]) if trained.cls is not None else None
        if "." in left_out[len(model) + 1 :] or field is None or not (field.kind == "module" and field.params):
            return
        self.report(
            ctx,
            optimizer,
            f"`{source(optimizer, 60)}` updates every parameter of `{model}` but those of `{left_out}`, which still "
            "require grad: every backward() computes gradients for parameters no optimizer uses. Freeze them "
            f"first: `{left_out}.requires_grad_(False)`.",
        )

    def _report_parts(self, ctx, optimizer, owners) -> bool:
        """An optimizer over several parts of one model run whole with gradients (``model.decoder`` and
        ``model.bn``), when the model holds trainable parameters outside all of them. False when no
        model holds them all (separate models: ``upstream_models``)."""
        model = next(
            (m for m in sorted(self._trained_calls, key=len, reverse=True) if all(o.startswith(m + ".") for o in owners)),
            None,
        )
        if model is None:
            return False
        if any(t == model or within(t, model) or within(model, t) for t in self._touched):
            return True
        parts = {o[len(model) + 1 :].split(".")[0] for o in owners}
        if "module" in parts or not self._has_other_parameters(self._trained_calls[model], *parts):
            return True
        spelt = ", ".join(f"`{_spelt(o)}`" for o in owners)
        self.report(
            ctx,
            optimizer,
            f"`{source(optimizer, 60)}` updates only {spelt}, but the rest of `{model}` still requires grad: "
            "every backward() computes gradients for parameters no optimizer uses. Freeze them first: "
            f"`{model}.requires_grad_(False)`, then `requires_grad_(True)` on the parts it trains.",
        )
        return True

    @staticmethod
    def _has_other_parameters(model, *parts: str) -> bool:
        """Whether the model is known to hold trainable parameters outside ``parts``."""
        if model.placed:
            # frozen whole, then given new layers: only those train
            return any(name.split(".")[0] not in parts for name in model.placed)
        if model.cls is None:
            # a network from nn.*, torchvision, timm or from_pretrained: its head is not all of it. A
            # wrapper (`nn.DataParallel(model)` of a model not known) holds the wrapped model's
            # parameters, and those may be all in the parts
            return api.canonical(model.qual) not in api.MODULE_WRAPPERS if model.qual else True
        return any(
            name not in parts and (value.is_grad_tensor or (value.kind == "module" and value.params))
            for name, value in model.cls.attrs.items()
        )


def _returned_by_own_method(node: cst.Call, value, ctx) -> bool:
    """An optimizer a method of the file returns (``model.configure_optimizers()``): its parameters are
    named as the method names them (``self.head``), which names nothing in the caller."""
    owners = value.owners or ({value.owner} if value.owner else set())
    return ctx.value(node.func).kind == "method" and bool(owners) and all(o.startswith("self.") for o in owners)


def _stepped_optimizer(node: cst.Call, ctx):
    """The path of ``X`` in ``X.step()`` when ``X`` is an optimizer (known, or named as one)."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "step" or node.args:
        return None
    path = dotted(func.value)
    if path is None:
        return None
    if ctx.value(func.value).kind == "optimizer" or "optim" in path.rsplit(".", 1)[-1].lower():
        return path
    return None


def _parameters_of(node):
    """``A`` of ``A.parameters()``, or of ``set(A.parameters())``."""
    if type(node) is cst.Call and dotted(node.func) in ("set", "frozenset") and len(node.args) == 1:
        node = node.args[0].value
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "parameters":
        return dotted(node.func.value)
    return None


def _all_but(params, ctx):
    """(A, B) for parameters given as those of A minus those of B, a field of A: the name of a
    ``set(A.parameters()).difference(B.parameters())`` or ``set(A.parameters()) - set(B.parameters())``
    bound once in this scope (seasonal-contrast #6), or that expression itself."""
    if type(params) is cst.Name:
        scope = ctx.function.body if ctx.function is not None else ctx.module_node
        bound = [
            node.value
            for node in walk(scope, (cst.FunctionDef, cst.ClassDef))
            if type(node) is cst.Assign
            and len(node.targets) == 1
            and type(node.targets[0].target) is cst.Name
            and node.targets[0].target.value == params.value
        ] if scope is not None else []
        if len(bound) != 1:
            return None
        params = bound[0]
    if type(params) is cst.Call and type(params.func) is cst.Attribute and params.func.attr.value == "difference":
        whole, part = _parameters_of(params.func.value), _parameters_of(params.args[0].value) if params.args else None
    elif type(params) is cst.BinaryOperation and type(params.operator) is cst.Subtract:
        whole, part = _parameters_of(params.left), _parameters_of(params.right)
    else:
        return None
    return (whole, part) if whole and part and part.startswith(whole + ".") else None
