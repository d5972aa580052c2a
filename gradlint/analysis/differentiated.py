"""Names a scope differentiates only through ``torch.autograd.grad`` (or checks with ``gradcheck`` /
``gradgradcheck``, which differentiate their inputs the same way), never reading their ``.grad``:
for them a leaf made with ``requires_grad=True`` and then replaced by a non-leaf loses nothing
(``autograd.grad`` differentiates a non-leaf as well). Asked by GRD302 and GRD303."""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, kwarg, module_nodes, walk


def only_differentiated(target, ctx) -> bool:
    """Whether the function (at module level: the module's own statements) uses the name only as
    what ``torch.autograd.grad`` differentiates with respect to (``inputs=``), and never reads its
    ``.grad``: autograd.grad works on a non-leaf, so ``x = x.requires_grad_().clone()`` before a
    gradient penalty loses nothing, nor ``x = torch.randn(n, requires_grad=True).to("cuda")`` in a
    script that times ``torch.autograd.grad(out, (w, x), g)``."""
    if type(target) is not cst.Name:
        return False
    name = target.value
    if ctx.function is not None:
        nodes = walk(ctx.function.body)
    elif ctx.module_node is not None:
        # the global's `.grad` read anywhere in the file (a function of it, too) is what a leaf was
        # for; the differentiation that makes it needless is the module's own statements'
        if any(reads_grad(node, name) for node in walk(ctx.module_node)):
            return False
        nodes = walk(ctx.module_node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
    else:
        return False
    return _differentiates(list(nodes), name, ctx, _HELPER_DEPTH)


#: how many calls deep a helper of the file may hand the name on before ``autograd.grad`` takes it
_HELPER_DEPTH = 3


def _differentiates(nodes, name: str, ctx, depth: int) -> bool:
    """Among ``nodes`` (a scope's), ``name`` is differentiated with ``autograd.grad`` (directly, or by
    a function of the file it is handed to: ``pde_loss(net, t, x)`` whose ``x`` goes on to
    ``torch.autograd.grad(u, x, ...)``) and its ``.grad`` is never read."""
    given_names = []
    displays = {}  # `inputs = (x, weight, offsets)` handed to gradcheck by its name
    imported = _imported_names(nodes)
    handed = False
    for node in nodes:
        if reads_grad(node, name):
            return False
        if type(node) is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            if type(node.value) in (cst.List, cst.Tuple):
                displays.setdefault(node.targets[0].target.value, []).append(node.value)
        if type(node) is cst.Call:
            if "optim" in (dotted(node.func) or "") and any(
                type(n) is cst.Name and n.value == name for arg in node.args for n in walk(arg.value)
            ):
                return False  # an optimizer over it wants the leaf (`ValueError: can't optimize a non-leaf Tensor`)
            given_names.extend(differentiated_inputs((node,), ctx, imported))
            handed = handed or depth > 0 and _helper_differentiates(node, name, ctx, depth - 1)
    differentiated = handed
    for given in given_names:
        if type(given) is cst.Name and len(displays.get(given.value, ())) == 1:
            given = displays[given.value][0]
        named = [e.value for e in given.elements] if type(given) in (cst.List, cst.Tuple) else [given]
        differentiated |= any(type(e) is cst.Name and e.value == name for e in named)
    return differentiated


def _helper_differentiates(call, name: str, ctx, depth: int) -> bool:
    """``call`` hands ``name`` (positionally) to the file's only function of its name, whose matching
    parameter that function differentiates and whose ``.grad`` it never reads (``_differentiates``)."""
    if type(call.func) is not cst.Name or ctx.module_node is None:
        return False
    positions = [i for i, arg in enumerate(call.args) if arg.keyword is None and not arg.star
                 and type(arg.value) is cst.Name and arg.value.value == name]
    if not positions:
        return False
    defs = [node for node in module_nodes(ctx.module_node).of(cst.FunctionDef) if node.name.value == call.func.value]
    if len(defs) != 1:
        return False
    params = list(defs[0].params.posonly_params) + list(defs[0].params.params)
    body = list(walk(defs[0].body))
    return any(p < len(params) and _differentiates(body, params[p].name.value, ctx, depth) for p in positions)


def differentiated_inputs(calls, ctx, imported=None) -> list:
    """What those of ``calls`` that differentiate (``_DIFFERENTIATING``) are given as ``inputs``;
    ``imported``: names the scope's own ``from X import y`` statements bind (``_imported_names``)."""
    given = []
    for node in calls:
        if _qualified(node.func, ctx, imported) in _DIFFERENTIATING:
            inputs = kwarg(node, "inputs")
            if inputs is None and len(node.args) > 1 and node.args[1].keyword is None:
                inputs = node.args[1]
            if inputs is not None:
                given.append(inputs.value)
    return given


#: calls whose second argument (``inputs``) is what they differentiate with respect to
_DIFFERENTIATING = frozenset(
    {
        "torch.autograd.grad",
        "torch.autograd.gradcheck",
        "torch.autograd.gradgradcheck",
        "torch.autograd.gradcheck.gradcheck",
        "torch.autograd.gradcheck.gradgradcheck",
    }
)


def reads_grad(node, name: str) -> bool:
    """``name.grad``."""
    return (
        type(node) is cst.Attribute
        and node.attr.value == "grad"
        and type(node.value) is cst.Name
        and node.value.value == name
    )


def _imported_names(nodes) -> dict:
    """Local name -> the dotted path a ``from X import y`` among ``nodes`` binds it to: a scope's
    import written after the statement being judged (a test block's ``from torch.autograd import
    gradcheck`` just before its call) is not bound yet when that statement is walked."""
    found = {}
    for node in nodes:
        if type(node) is cst.ImportFrom and node.module is not None and not node.relative:
            module = dotted(node.module)
            if module is None or isinstance(node.names, cst.ImportStar):
                continue
            for alias in node.names:
                name = dotted(alias.name)
                if name is None or "." in name:
                    continue
                local = alias.asname.name.value if alias.asname is not None and type(alias.asname.name) is cst.Name else name
                found[local] = f"{module}.{name}"
    return found


def _qualified(func, ctx, imported=None) -> str:
    """What an imported dotted name refers to (``autograd.grad`` after ``from torch import autograd``)."""
    path = dotted(func)
    if path is None:
        return ""
    head, _, rest = path.partition(".")
    value = ctx.lookup(head)
    if value is None or value.kind != "ref":
        qual = imported.get(head) if imported else None
        if qual is None:
            return ""
        return f"{qual}.{rest}" if rest else qual
    return f"{value.qual}.{rest}" if rest else value.qual
