import re

import libcst as cst

from ..analysis import dotted, literal_bool, within
from ..analysis.source_order import contains
from ..analysis.syntax import free_names_of, walk
from ..analysis.constructor_freezes import freeze_site
from ..analysis.freeze_keeping_methods import keeps_freeze
from ..analysis.untrained_arguments import BACKWARD, STEP
from ..rule import Rule, source

#: Module methods that leave ``requires_grad`` of its parameters as it is.
_KEEPS_FREEZE = frozenset(
    "eval train to cuda cpu float double half bfloat16 parameters named_parameters modules children "
    "named_modules named_children forward zero_grad state_dict requires_grad_ __call__".split()
)


#: ``x.requires_grad = <anything but False>`` or ``x.requires_grad_(<anything but False>)``
#: (or a tensor made to require grad: an input perturbation that brings the loss a graph)
_UNFREEZES = re.compile(
    r"\.requires_grad\s*=(?!=)(?!\s*False\b)|requires_grad_\((?!\s*False\s*\))|requires_grad\s*=\s*True"
)


class NothingTrainable(Rule):
    code = "GRD407"
    name = "nothing-trainable"
    severity = "error"
    summary = "every parameter of a model frozen and never unfrozen, then trained"
    requires = (("requires_grad",), ("backward", "step"))

    def __init__(self):
        self._frozen = {}  # owner path -> the freezing node, in this scope
        self._layers = set()  # paths of layers assigned onto a module in this scope
        self._reported = set()
        #: what each name was bound to, before a later ``name.backward()`` counts as proof
        #: that it requires grad (the proof this rule contradicts)
        self._bound = {}
        #: class name -> {``self.<field>`` frozen whole, unconditionally, by its ``__init__``: the node}
        self._constructor_frozen = {}
        #: id of a freeze's node -> the line it is reported at: the ``p.requires_grad = False`` inside
        #: a freeze loop (the node is the loop), else the node itself
        self._sites = {}
        #: the paths the scope's backward() calls so far went through (None: a backward through
        #: what is not known), and the owners frozen after such a backward: their parameters hold the
        #: gradients it left, which a step() still applies (StyleGAN's ``G.requires_grad_(False)``
        #: between ``loss.backward()`` and ``opt_G.step()``) until a zero_grad() clears them
        self._backprop_through = set()
        self._graded = set()
        #: constructor freezes already reported from a scope that trains an object they froze
        self._built_reported = set()
        #: paths bound (in this scope) to what a call of a callable the walk cannot see into returned
        #: (``z = noise(8, 4)`` with ``noise = lambda m, n: torch.rand(m, n).requires_grad_()``, a
        #: sampler handed in), or computed from such a value: it may require grad, so a loss computed
        #: from it may too, frozen model or not
        self._opaque = set()

    def on_freeze(self, node, ctx, event) -> None:
        owner = event.owner
        if event.at is not None:
            self._sites[id(node)] = event.at
        whole_freeze = event.requires_grad is False and event.whole and event.unconditional
        if whole_freeze and ctx.scope_name == "__init__" and ctx.current_class is not None and owner.startswith("self."):
            self._constructor_frozen.setdefault(ctx.current_class.name, {})[owner] = node
        if event.requires_grad is False and event.whole and event.unconditional:
            # GRD404's pitfall: a layer placed under the model before (here, or by the helper that returned it)
            if not event.heads and not any(layer.startswith(owner + ".") for layer in self._layers):
                self._frozen[owner] = node
                if None in self._backprop_through or any(
                    within(path, owner) or within(owner, path) for path in self._backprop_through
                ):
                    self._graded.add(owner)
            return
        self._forget(lambda frozen: within(owner, frozen) or within(frozen, owner))

    def on_assign(self, target, ctx, value_node) -> None:
        path = dotted(target) if type(target) in (cst.Name, cst.Attribute) else None
        if type(target) is cst.Subscript and ctx.value(value_node).kind == "module":
            # `model.features[-1] = nn.Conv2d(...)`: a layer placed in a slot of the module
            base = dotted(target.value)
            if base is not None:
                self._layers.add(base + ".[]")
                self._forget(lambda frozen: within(base, frozen) or within(frozen, base))
        if path is None:
            return
        self._bound[path] = ctx.value(value_node)
        self._track_opaque(path, value_node, ctx)
        if path.endswith(".requires_grad") and type(target) is cst.Attribute and ctx.value(target.value).kind == "module":
            return  # `model._fc.requires_grad = True` sets an attribute of the module, no parameter (GRD401)
        if path.endswith(".requires_grad") and literal_bool(value_node) is not False:
            self._frozen.clear()  # unfreezes something, maybe part of a frozen model (`model[2]`)
        if type(target) is cst.Attribute and ctx.value(value_node).kind == "module":
            self._layers.add(path)
        self._forget(lambda frozen: within(path, frozen) or within(frozen, path))
        if ctx.scope_name == "__init__" and ctx.current_class is not None:
            owned = self._constructor_frozen.get(ctx.current_class.name, {})
            for frozen in [f for f in owned if within(path, f) or within(f, path)]:
                del owned[frozen]  # rebound, or a layer assigned below it, after the freeze

    def on_call(self, node: cst.Call, ctx) -> None:
        if type(node.func) is cst.Attribute and node.func.attr.value == "zero_grad":
            self._graded.clear()  # the gradients a backward left before the freeze are gone
        if not self._frozen:
            return
        for path in ctx.call_steps.get(id(node), ()) if id(node) in ctx.training_calls else ():
            # `train(model, loader, optimizer)`: the project function steps the optimizer it is given
            # (its unfreezes were replayed at the call before this hook: they forgot the freeze); one
            # built in the call's arguments comes as its value
            optimizer = ctx.lookup(path) if isinstance(path, str) else path
            given = f"`{path}`" if isinstance(path, str) else "the optimizer it is given"
            if optimizer is not None:
                self._check_step(node, optimizer, ctx, f"`{source(node, 40)}` trains with {given}, which updates")
        for kind, paths in ctx.untrained_calls.get(id(node), ()):
            self._check_untrained_call(node, ctx, kind, paths)
        func = node.func
        callee = ctx.value(func)
        if type(func) is cst.Attribute:
            if func.attr.value == "step" and not node.args:
                self._check_step(node, ctx.value(func.value), ctx)
            if func.attr.value == "requires_grad_" and (not node.args or literal_bool(node.args[0].value) is not False):
                self._frozen.clear()
            receiver = dotted(func.value)
            if receiver is not None and callee.kind != "module" and func.attr.value not in _KEEPS_FREEZE:
                owner = ctx.value(func.value)
                # `model.calculate_loss(batch)`: a method of the file's class that cannot unfreeze
                if not (owner.kind == "module" and keeps_freeze(owner.cls, func.attr.value)):
                    self._forget(lambda frozen: within(receiver, frozen))
        if callee.kind in ("ref", "module", "builtin"):
            return
        for arg in node.args:
            path = dotted(arg.value)
            if path is not None:
                # a call that froze it (its freeze is reported at the call) is no reason to forget it
                self._forget(
                    lambda frozen: (within(path, frozen) or within(frozen, path)) and self._frozen[frozen] is not node
                )

    def _check_untrained_call(self, node, ctx, kind: str, paths) -> None:
        """``train(model, data)`` backpropagated a loss computed only through ``model`` (or stepped an
        optimizer over it) and, walked with the model this scope froze whole, knew it trained nothing
        (``untrained_arguments``): reported at this scope's freeze."""
        roots = {self._frozen_root(path) for path in paths}
        if None in roots:
            return
        owner = sorted(roots)[0]
        if owner in self._reported or kind == STEP and owner in self._graded or self._frozen[owner] is node:
            return  # (frozen by the callee itself: its own walk reports that freeze)
        if _constructor_freeze_of(ctx, owner) is not None:
            return  # an object its constructor froze: the callee's walk reports that freeze (``_built_frozen``)
        self._reported.add(owner)
        effect = (
            "backpropagates a loss computed only through it, which raises \"element 0 of tensors does not require "
            "grad\". Unfreeze the part that should train."
            if kind == BACKWARD
            else "steps an optimizer over its parameters, which get no gradient, so the step changes nothing. "
            "Unfreeze the part that should train."
        )
        self._report_freeze(
            ctx,
            self._frozen[owner],
            f"this freezes every parameter of `{owner}` and nothing unfreezes any: `{source(node, 40)}` {effect}",
        )

    def _track_opaque(self, path: str, value_node, ctx) -> None:
        value = self._bound[path]
        if value.kind == "tensor" and value.grad is not None:
            self._opaque.discard(path)  # known: requires grad or not
        elif type(value_node) is cst.Call and _opaque_callee(value_node.func, ctx):
            self._opaque.add(path)
        elif self._opaque and self._from_opaque(value_node):
            self._opaque.add(path)
        else:
            self._opaque.discard(path)

    def _from_opaque(self, node) -> bool:
        """``node`` mentions a path bound to an opaque call's result (by the names it is made of:
        ``self.z`` when ``self`` and ``z`` are both mentioned)."""
        if not self._opaque:
            return False
        names = free_names_of(node)
        return any(names.issuperset(path.split(".")) for path in self._opaque)

    def _forget(self, matches) -> None:
        for frozen in [f for f in self._frozen if matches(f)]:
            del self._frozen[frozen]

    def _frozen_root(self, path: str):
        return next((f for f in self._frozen if within(path, f)), None)

    def on_backward(self, node, ctx, receiver) -> None:
        value = self._bound.get(dotted(receiver)) or ctx.value(receiver)
        self._backprop_through.update(value.through if value.kind == "tensor" and value.through else (None,))
        if value.kind != "tensor" or value.grad is True or not value.through:
            return
        if value.grad is None and self._from_opaque(receiver):
            return  # computed from what an opaque call returned, which may require grad
        roots = {self._frozen_root(path) for path in value.through}
        frozen = self._frozen
        if None in roots:
            frozen = self._frozen_by_constructor(ctx, value.through)
            roots = {next((f for f in frozen if within(path, f)), None) for path in value.through}
            if not frozen or None in roots:
                self._built_frozen(node, ctx, receiver, value.through)
                return
        owner = sorted(roots)[0]
        self._reported.add(owner)
        backprop = f"`{source(node, 40)}` backpropagates `{source(receiver, 30)}`, computed only through `{owner}`"
        if _guarded_by_requires_grad(ctx, node):  # never runs, never raises: nothing trains, silently
            backprop = f"{backprop.replace('backpropagates', 'would backpropagate', 1)}, but its `requires_grad` test skips it"
            effect = "nothing ever trains"
        else:
            effect = "raises \"element 0 of tensors does not require grad\""
        self._report_freeze(
            ctx,
            frozen[owner],
            f"this freezes every parameter of `{owner}` and nothing unfreezes any: {backprop}, and {effect}. "
            "Unfreeze the part that should train.",
        )

    def _built_frozen(self, node, ctx, receiver, through) -> None:
        """``fit(M(10), data)``: every module the loss went through is an object of a class of this file
        whose constructor froze it whole (``for p in self.parameters(): p.requires_grad = False``, under
        a flag its default chose) and that the walk still knows frozen here (``params`` False): reported
        at that freeze, once. Not in a file that sets ``requires_grad`` to anything but False anywhere
        (``model.emb.weight.requires_grad = True`` in the caller makes a part trainable again)."""
        if _UNFREEZES.search(ctx.source or ""):
            return
        sites = set()
        for path in through:
            site = _constructor_freeze_of(ctx, path)
            if site is None:
                return
            sites.add(site)
        if len(sites) != 1:
            return
        (site,) = sites
        if id(site) in self._built_reported:
            return
        self._built_reported.add(id(site))
        self.report(
            ctx,
            site,
            f"this constructor freezes every parameter of the object it builds and nothing unfreezes any: "
            f"`{source(node, 40)}` backpropagates `{source(receiver, 30)}`, computed only through such an object, "
            "and raises \"element 0 of tensors does not require grad\". Unfreeze the part that should train.",
        )

    def _report_freeze(self, ctx, freeze, message: str) -> None:
        """Reported at the freeze, the line to change (once, however many backward() or step() calls
        it leaves with nothing to train): the ``p.requires_grad = False`` of a freeze loop, the
        ``model.requires_grad_(False)`` call, or the call of a function that froze the model."""
        self.report(ctx, self._sites.get(id(freeze), freeze), message)

    def _frozen_by_constructor(self, ctx, through) -> dict:
        """In a method of a class whose ``__init__`` froze ``self.model`` whole (``for p in
        self.model.parameters(): p.requires_grad = False``), the fields so frozen, when nothing in the
        file can have unfrozen them since: no ``requires_grad`` set to anything but a literal False
        (nor a tensor made to require grad), no layer assigned below them, and never handed to a
        call that could do either."""
        cls = ctx.current_class
        if cls is None or ctx.scope_name == "__init__":
            return {}
        frozen = self._constructor_frozen.get(cls.name, {})
        text = ctx.source or ""
        if not frozen or _UNFREEZES.search(text):
            return {}
        kept = {}
        for owner, node in frozen.items():
            below = re.compile(re.escape(owner) + r"(\.\w+|\[[^\]]*\])+\s*=(?!=)")
            handed = re.compile(r"[(,]\s*" + re.escape(owner) + r"\s*[,)]")
            if not below.search(text) and not handed.search(text):
                kept[owner] = node
        return kept

    def _check_step(self, node, optimizer, ctx, what: str = "") -> None:
        if optimizer.kind != "optimizer" or optimizer.owner is None:
            return
        owner = self._frozen_root(optimizer.owner)
        if owner is None or owner in self._reported or owner in self._graded:
            return
        self._reported.add(owner)
        self._report_freeze(
            ctx,
            self._frozen[owner],
            f"this freezes every parameter of `{owner}` and nothing unfreezes any: "
            f"{what or '`' + source(node, 40) + '` updates'} "
            f"the parameters of `{optimizer.owner}`, which get no gradient, so the step changes nothing. Unfreeze "
            "the part that should train, or give the optimizer the trainable parameters.",
        )

    def on_scope_end(self, node, ctx) -> None:
        self._frozen.clear()
        self._backprop_through.clear()
        self._graded.clear()
        self._layers.clear()
        self._reported.clear()
        self._bound.clear()
        self._opaque.clear()


def _opaque_callee(func, ctx) -> bool:
    """A callable whose result the walk cannot know: a name bound to nothing it knows as callable
    (a lambda, a function handed in as an argument, a name from outside the file), or project code
    it did not read. Not a method of a value (``x.cuda()``, ``batch.to(device)``): those move data."""
    callee = ctx.value(func)
    return callee.unread or (type(func) is cst.Name and callee.kind == "unknown")


def _constructor_freeze_of(ctx, path: str):
    """The freeze in the constructor of the object of this file's class that ``path`` is (or is a
    submodule of: ``model.emb`` when a method of ``model`` returned what ``self.emb`` computed), when
    that object and every module between it and ``path`` are known frozen (``params`` False)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        module = ctx.lookup(".".join(parts[:end]))
        if module is None and end < len(parts):
            return None
        if module is None or module.cls is None and module.kind == "module" and module.params is False:
            continue  # a layer of the object (not bound since): its owner froze it
        if module.kind != "module" or module.params is not False:
            return None
        cls = module.cls
        if cls.namespace is not None or not cls.is_module or "__init__" not in cls.methods:
            return None
        return freeze_site(cls.methods["__init__"])
    return None


def _guarded_by_requires_grad(ctx, node) -> bool:
    """``if loss.requires_grad: loss.backward()``: the backward never runs (and never raises)."""
    scope = ctx.function if ctx.function is not None else ctx.module_node
    if scope is None:
        return False
    for test in (n for n in walk(scope) if type(n) is cst.If):
        if contains(test.body, node) and any(
            type(part) is cst.Attribute and part.attr.value == "requires_grad" for part in walk(test.test)
        ):
            return True
    return False
