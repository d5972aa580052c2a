"""Forwards the author runs with gradients on purpose, read from the code around them (GRD505).

``with torch.enable_grad():`` inside an evaluation, and the ``except`` arm of a ``try`` whose body
evaluates under ``no_grad`` (falling back to grad mode for a model whose forward needs autograd):
forwards there record a graph because the author asked for it. So do a loop that takes gradients
itself (``torch.autograd.grad``, ``higher``'s differentiable optimizers), the forwards it runs that do,
and a function that makes its own tensors (or an object's) require grad.
"""

from __future__ import annotations

import libcst as cst

from .forward_guards import gradients_unreached
from .read_only_uses import only_read
from .nested_callees import nested_callees
from .syntax import dotted, literal_bool, module_nodes, per_node, walk


def retries_with_grad(loop) -> frozenset:
    """Ids of the calls in the ``except`` handlers of a ``try`` whose body runs under no_grad.

    ``try: with torch.no_grad(): out = model(x)`` then ``except RuntimeError: out = model(x)``
    (pythae's trainers): the author evaluates without gradients and falls back to grad mode only
    for a model whose forward needs autograd, so that forward's gradients are wanted.
    """
    retries = set()
    for node in walk(loop):
        if type(node) in (cst.Try, cst.TryStar) and runs_without_grad(node.body):
            for handler in node.handlers:
                retries.update(id(call) for call in walk(handler) if type(call) is cst.Call)
    return frozenset(retries)


def enabled_on_purpose(root) -> set:
    """Ids of the calls inside ``with torch.enable_grad():`` (or ``torch.set_grad_enabled(True)``) in
    the function (at module level, the module): the author asked for gradients there, whatever the
    mode around (pytorch_ood's NAC detector runs its model in eval mode under ``enable_grad()`` to
    differentiate hooked activations), so those forwards record a graph on purpose."""
    calls = set()
    if root is None:
        return calls
    for node in walk(root):
        if type(node) is cst.With and any(enables_grad(item.item) for item in node.items):
            calls.update(id(call) for call in walk(node.body) if type(call) is cst.Call)
    return calls


def enables_grad(item) -> bool:
    if type(item) is not cst.Call:
        return False
    name = (dotted(item.func) or "").rsplit(".", 1)[-1]
    if name == "enable_grad":
        return True
    return name == "set_grad_enabled" and len(item.args) == 1 and literal_bool(item.args[0].value) is True


def runs_without_grad(body) -> bool:
    for node in walk(body):
        if type(node) is cst.With:
            for item in node.items:
                call = item.item
                name = dotted(call.func if type(call) is cst.Call else call) or ""
                if name.rsplit(".", 1)[-1] in ("no_grad", "inference_mode"):
                    return True
    return False


def differentiating_function_elsewhere(callee, ctx) -> bool:
    """``callee`` is a function of another file of the project whose body takes ``autograd.grad``,
    or which makes one of its inputs require grad, itself or in a function of its file it calls:
    ``points.requires_grad = True; u = net(points)``, then an operator given as an argument takes
    the derivatives of ``u`` with respect to ``points`` (a physics-informed residual)."""
    if callee.kind != "func" or not callee.owner:
        return False
    functions = ctx._function_table(callee.owner)[0]
    function = functions.get(callee.qual)
    if function is None:
        return False
    if any((dotted(call.func) or "").endswith("autograd.grad") for call in _calls_in(function)):
        return True
    return _asks_input_gradients(function, functions, 2)


def _asks_input_gradients(function, functions: dict, depth: int) -> bool:
    """``function`` sets one of its parameters to require grad (``x.requires_grad = True``,
    ``x.requires_grad_()``), or a function of its file it calls by name does, ``depth`` calls down."""
    parameters = {param.name.value for param in function.params.params}
    for node in walk(function.body):
        owner = _set_to_require_grad(node)
        if owner is not None and dotted(owner) in parameters:
            return True
        if type(node) is not cst.Call:
            continue
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "requires_grad_":
            if dotted(func.value) in parameters and (not node.args or literal_bool(node.args[0].value) is True):
                return True
        elif depth and type(func) is cst.Name and func.value in functions and functions[func.value] is not function:
            if _asks_input_gradients(functions[func.value], functions, depth - 1):
                return True
    return False


def differentiates(loop, ctx, record) -> bool:
    """The loop takes gradients with ``torch.autograd.grad(loss, params)``, itself or in a function
    of the file it calls (DomainBed's ``hvp(loss, w, v)``): its eval-mode forwards are differentiated
    on purpose (influence functions, saliency, Hessian-vector products), not kept for nothing."""
    deeper = nested_callees(record.local_calls, ctx.module_node, ctx.functions)  # FROMP's jacobian helpers
    roots = (loop, *record.local_calls, *forward_bodies(record, ctx), *deeper)
    return any(takes_gradients(root, loop, ctx) for root in roots)


def takes_gradients(root, loop, ctx) -> bool:
    """``root`` (the loop, or a body it runs) calls ``torch.autograd.grad`` or a differentiable optimizer."""
    for node in _calls_in(root):
        name = dotted(node.func) or ""
        # only a dotted name can be `torch.autograd.grad` under another name (`ag.grad`, `grad`):
        # valuing a callee that holds a call (`self.model(x).argmax`) would only run that call
        # again, in the state of the loop's end (its records are kept apart: see kept_records)
        aliased = root is loop and bool(name) and ctx.value(node.func).qual == "torch.autograd.grad"
        if name.endswith("autograd.grad") or aliased:
            return True
        if name == "grad" and len(node.args) >= 2 and root is not loop:
            return True  # `from torch.autograd import grad` in the forward's file: `grad([energy], [pos])`
        if name.rsplit(".", 1)[-1] in _DIFFERENTIABLE_OPTIMIZERS and (name.startswith("higher.") or "." not in name):
            # `inner_opt = higher.get_diff_optim(...)`, then `inner_opt.step(E.sum(), params=[y])`:
            # higher's differentiable optimizers take `autograd.grad` of the loss they step with
            return True
        if name.rsplit(".", 1)[-1] in _META_UPDATES and _from_torchmeta(name, ctx.module_node):
            # `params = gradient_update_parameters(model, inner_loss, params=params)`: torchmeta's
            # MAML step takes `autograd.grad` of the inner loss (an evaluation adapts with it too)
            return True
    return False


#: the `higher` library's builders of differentiable optimizers (their step() differentiates)
_DIFFERENTIABLE_OPTIMIZERS = frozenset({"get_diff_optim", "create_diff_optim", "innerloop_ctx"})

#: torchmeta's functions that take one gradient step of a meta-module's parameters with autograd.grad
_META_UPDATES = frozenset({"gradient_update_parameters"})


def _from_torchmeta(name: str, module) -> bool:
    """``name`` is torchmeta's: written ``torchmeta.…``, or a bare name the module imports from a
    torchmeta module (another library's function of the same name is not known to differentiate)."""
    if "." in name or module is None:
        return name.startswith("torchmeta.")
    for node in module_nodes(module).of(cst.ImportFrom):
        source = dotted(node.module) if node.module is not None and not node.relative else None
        if source is None or source.split(".", 1)[0] != "torchmeta" or isinstance(node.names, cst.ImportStar):
            continue
        if any((alias.asname.name.value if alias.asname is not None else dotted(alias.name)) == name for alias in node.names):
            return True
    return False


@per_node
def _calls_in(root) -> tuple:
    """The calls under ``root``, in ``walk``'s order (a loop's end is seen once per walk of the loop,
    and a forward's body once per loop running it)."""
    return tuple(node for node in walk(root) if type(node) is cst.Call)


def forward_bodies(record, ctx) -> list:
    """The ``forward`` of each module of the file the loop runs, and the file's functions it calls
    by name: a model whose forward takes gradients itself (gradient matching's ``_weight_grad(...)``
    with ``autograd.grad(..., create_graph=True)``) needs grad mode to run at all. A forward that
    takes them only when given an argument (``tmp_score=None`` tested ``is None`` before
    ``autograd.grad(..., tmp_score)``) which none of the loop's calls passes does not."""
    bodies = []
    seen = set()
    calls: dict = {}
    methods: dict = {}
    for call, _, module, _ in record.forwards:
        forward = module.cls.methods.get("forward") if module.cls is not None else None
        if forward is not None:
            calls.setdefault(id(forward), (forward, []))[1].append(call)
            methods[id(forward)] = module.cls.methods
    for forward, its_calls in calls.values():
        if id(forward) in seen:
            continue
        seen.add(id(forward))
        if not gradients_unreached(forward, its_calls):
            bodies.append(forward)
        for node in _calls_in(forward):
            func = node.func
            if type(func) is cst.Name:
                called = ctx.functions.get(func.value)
            elif type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "self":
                # `self._compute(g, compute_force=...)`: a method of the module's class (CHGNet's forward
                # takes forces as autograd.grad of the energy there)
                called = methods.get(id(forward), {}).get(func.attr.value)
            else:
                continue
            if called is not None and id(called) not in seen:
                seen.add(id(called))
                bodies.append(called)
    return bodies


def input_gradients_asked(ctx) -> bool:
    """The function (at module level, the module) asks for gradients of a tensor of its own:
    ``t.requires_grad_()`` / ``t.requires_grad_(True)`` (or ``t.requires_grad = True``) on what is not a
    module, or a factory given ``requires_grad=True`` (not an ``nn.Parameter``).

    Asked of the walk's state each time (only the scan is kept per function): an answer kept per
    analyzer would be the first function's to ask for every function of the file, so a finding would
    depend on the order the functions are defined in."""
    root = ctx.function if ctx.function is not None else ctx.module_node
    if root is None:
        return False
    owners, factory = _requests_for_grad(root)
    return factory or any(ctx.value(owner).kind != "module" for owner in owners)


def made_to_require_grad(ctx) -> frozenset:
    """The names the function (at module level, the module) makes require grad with
    ``x.requires_grad_()`` / ``x.requires_grad_(True)`` / ``x.requires_grad = True``, whatever their value is known to be: a batch
    unpacked from an engine's ``batch`` is not known to be a tensor, but only a tensor has that method."""
    root = ctx.function if ctx.function is not None else ctx.module_node
    if root is None:
        return frozenset()
    return frozenset(name for name in map(dotted, _requests_for_grad(root)[0]) if name is not None)


@per_node
def _requests_for_grad(root) -> tuple:
    """What ``root`` makes require grad: the ``X`` of each ``X.requires_grad = True``,
    ``X.requires_grad_()`` and ``X.requires_grad_(True)``, and whether it calls a factory (not
    ``nn.Parameter``) with ``requires_grad=True``."""
    owners = []
    factory = False
    for node in walk(root):
        owner = _set_to_require_grad(node)
        if owner is not None:
            owners.append(owner)
        if type(node) is not cst.Call:
            continue
        func = node.func
        if type(func) is cst.Attribute and func.attr.value == "requires_grad_":
            if not node.args or literal_bool(node.args[0].value) is True:
                owners.append(func.value)
        elif (dotted(func) or "").rsplit(".", 1)[-1] != "Parameter" and any(
            arg.keyword is not None and arg.keyword.value == "requires_grad" and literal_bool(arg.value) is True
            for arg in node.args
        ):
            factory = True
    return tuple(owners), factory


def _set_to_require_grad(node):
    """``X`` of a statement ``X.requires_grad = True`` (Sobolev and attention-map distillation losses
    take ``autograd.grad`` of the outputs with respect to the images they set so)."""
    if type(node) is not cst.Assign or literal_bool(node.value) is not True:
        return None
    for target in node.targets:
        if type(target.target) is cst.Attribute and target.target.attr.value == "requires_grad":
            return target.target.value
    return None


def given_any(call: cst.Call, names: frozenset) -> bool:
    """The call is given one of ``names`` itself as an argument (``model(x)``)."""
    return any(dotted(arg.value) in names for arg in call.args)


def field_gradients_asked(loop) -> bool:
    """The loop makes a tensor held by an object require grad (``graph.atom_frac_coord.requires_grad =
    requires_force``, CHGNet's trainer, whose model takes forces as autograd.grad of the energy with
    respect to the atoms' positions): its forwards, given those objects, run for their gradients,
    which no_grad would forbid. A literal False freezes instead."""
    for node in walk(loop):
        if type(node) is not cst.Assign or literal_bool(node.value) is False:
            continue
        for target in node.targets:
            target = target.target
            if type(target) is cst.Attribute and target.attr.value == "requires_grad":
                owner = target.value
                if type(owner) is cst.Attribute and (dotted(owner) or "self.").split(".", 1)[0] != "self":
                    return True
    return False


def read_without_gradients(call: cst.Call, loop, root) -> bool:
    """``x = Variable(t, requires_grad=True); out = model(x); pred = out.data.max(1)[1]``: the function
    makes its input require grad (out of habit, in old ``Variable`` code) yet never differentiates
    anything (no ``backward()``, no ``autograd.grad``, no ``.grad`` read), and the forward's output,
    bound by a statement of the loop, is only read through cuts (``read_only_uses``): no gradient of
    that input is ever asked for."""
    if root is None or _differentiates(root):
        return False
    for node in walk(loop):
        if type(node) is cst.Assign and node.value is call:
            return only_read(call, node, root)
    return False


@per_node
def _differentiates(root) -> bool:
    """``root`` calls ``backward()`` or ``autograd.grad``, or reads a ``.grad``."""
    for node in walk(root):
        if type(node) is cst.Attribute and node.attr.value in ("grad", "backward"):
            return True
        if type(node) is cst.Call and (dotted(node.func) or "").endswith("autograd.grad"):
            return True
    return False
