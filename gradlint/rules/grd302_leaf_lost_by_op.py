import libcst as cst

from ..analysis import creates_leaf, made_on_cpu, makes_leaf_in_place
from ..analysis.block_index import value_bound_before
from ..analysis.devices import moves_to_cpu
from ..analysis.differentiated import only_differentiated, reads_grad
from ..analysis.fields_differentiated import field_only_differentiated
from ..analysis.leaf_uses import (
    accumulated_into,
    elements_only_mapped,
    elements_retained,
    only_operand,
    retained,
    rewrapped_as_parameter,
)
from ..analysis.syntax import dotted, kwarg, paired_elements, walk
from ..rule import Rule, source

_KEEPS_LEAF = frozenset({"requires_grad_", "retain_grad", "share_memory_"})
#: reductions make a loss-like value of the leaf, not a would-be parameter: nobody reads its ``.grad``
#: ``nn.Parameter(w).detach()``: the result is a leaf that does not require grad, on purpose
_CUTS = frozenset({"detach", "detach_"})
_REDUCTIONS = frozenset({"sum", "mean", "norm", "prod", "std", "var", "logsumexp", "amax", "amin", "item"})


class LeafLostByOp(Rule):
    code = "GRD302"
    name = "leaf-lost-by-op"
    severity = "error"
    summary = "an op applied in the same expression that creates a leaf: the name holds a non-leaf"
    requires = (("requires_grad", "Parameter"),)

    def on_assign(self, target, ctx, value_node) -> None:
        if ctx.grad_enabled is not True:
            return
        pairs = [(target, value_node)]
        if type(value_node) is cst.Tuple and type(target) is cst.Tuple:
            pairs = paired_elements(target, value_node) or pairs
        elements = False
        if type(value_node) is cst.ListComp and type(target) is not cst.Tuple:
            # `scales = [torch.ones(2, requires_grad=True).to(device) for _ in layers]`
            pairs, elements = [(target, value_node.elt)], True
        for one_target, one_value in pairs:
            found = self._lost_leaf(one_value, ctx)
            if found is None or only_differentiated(one_target, ctx) or _fallback_of_a_computed_value(one_target, ctx):
                continue
            if elements is False and (_unobserved(one_target, ctx, found[0]) or rewrapped_as_parameter(one_target, ctx)):
                continue
            if elements and (elements_retained(one_target, ctx) or elements_only_mapped(one_target, ctx)):
                continue
            if not elements and _field_differentiated_elsewhere(one_target, found[0], ctx):
                continue
            self._report(ctx, one_target, one_value, *found, elements=elements)

    def _report(self, ctx, target, value_node, creation, op, elements=False) -> None:
        parameter = ctx.value(creation.func).qual == "torch.nn.Parameter"
        consequence = (
            "is not an nn.Parameter any more, so the module does not register it and no optimizer sees it"
            if parameter
            else "is a non-leaf whose `.grad` stays None after backward()"
        )
        fix = (
            "Build the Parameter from the converted data (`nn.Parameter(t.to(device))`) or move the whole module"
            if parameter
            else "Pass `device=`/`dtype=` to the factory, or apply the op first and call `.requires_grad_()` last"
        )
        self.report(
            ctx,
            value_node,
            f"`{source(op, 40)}` is applied to the leaf made by `{source(creation, 40)}`: "
            f"{'each element of ' if elements else ''}`{source(target, 30)}` holds the op's result, which "
            f"{consequence}. {fix}.",
        )

    @staticmethod
    def _lost_leaf(node, ctx):
        """(leaf-creating call, outermost op) when node applies ops to a fresh leaf."""
        outer = node
        current = node
        while True:
            if type(current) is cst.Call and type(current.func) is cst.Attribute:
                if current.func.attr.value in _KEEPS_LEAF or current.func.attr.value in _REDUCTIONS:
                    return None
                if current.func.attr.value in _CUTS:
                    return None  # a constant asked for: a leaf that does not require grad, and no Parameter
                receiver = current.func.value
            elif type(current) is cst.Subscript:
                receiver = current.value
            elif type(current) is cst.BinaryOperation:
                numbers = [side for side in (current.left, current.right) if ctx.value(side).kind == "number"]
                if len(numbers) != 1:
                    return None
                receiver = current.right if numbers[0] is current.left else current.left
            else:
                return None
            if creates_leaf(receiver, ctx):
                if current is outer and _float_of_float32(current, receiver, ctx):
                    return None  # `.float()` of a float32 tensor returns the tensor itself
                if current is outer and _to_own_device(current, receiver):
                    return None  # `.to(p.device)` of a tensor made from `p` is where it already is
                if current is outer and _to_device_of_its_template(current, receiver, ctx):
                    return None  # `zeros_like(x, ...).to(d)` with `x` just moved to `d`: already there
                if current is outer and _kept_on_cpu(current, receiver, ctx):
                    return None  # `.to("cpu")` of a tensor made on the CPU returns the tensor itself
                return receiver, outer
            if makes_leaf_in_place(receiver):
                if _moves(current) and not made_on_cpu(receiver.func.value, ctx):
                    # `p.data.clone().requires_grad_().to(device)`: a copy of a tensor whose device is
                    # not known here; the move is a no-op when it is already there (a model's parameter)
                    return None
                return receiver, outer
            current = receiver



def _kept_on_cpu(op, creation, ctx) -> bool:
    return (
        type(op) is cst.Call
        and type(op.func) is cst.Attribute
        and ctx.value(creation).on_cpu
        and moves_to_cpu(op.func.attr.value, op, ctx.value)
    )


def _unobserved(target, ctx, creation) -> bool:
    """The name's leaf-ness does not matter: ``retain_grad()`` keeps the non-leaf's ``.grad``, or the
    function uses the name only as an operand of arithmetic or as a running total it adds to in place
    (see ``leaf_uses``). A Parameter lost
    this way is still missing from its module, unless the name never leaves the function."""
    if only_operand(target, ctx):
        return True
    parameter = ctx.value(creation.func).qual == "torch.nn.Parameter"
    return (retained(target, ctx) or accumulated_into(target, ctx)) and not parameter


def _fallback_of_a_computed_value(target, ctx) -> bool:
    """``if not losses: loss = torch.zeros([], requires_grad=True).cuda()`` / ``else: loss = sum(losses) / n``
    (NeMo's multi-similarity loss): the other branch of the ``if`` binds the name to a value computed
    from others, so the name holds a result, not a would-be parameter, and the placeholder only lets
    ``backward()`` run on an empty batch. Nothing is lost with its leaf when the function never
    reads the name's ``.grad``."""
    if type(target) is not cst.Name or ctx.function is None or ctx.block is None:
        return False
    name = target.value
    statements, index = ctx.block
    here = statements[index]
    if any(reads_grad(node, name) for node in walk(ctx.function.body)):
        return False
    for node in walk(ctx.function.body):
        if type(node) is not cst.If or type(node.orelse) is not cst.Else:
            continue
        branches = (node.body.body, node.orelse.body.body)
        for own, other in (branches, branches[::-1]):
            if any(stmt is here for stmt in own):
                return any(_binds_computed(stmt, name, ctx) for stmt in other)
    return False


def _binds_computed(stmt, name: str, ctx) -> bool:
    """``name = <an expression that makes no leaf>`` as a statement of its own."""
    if type(stmt) is not cst.SimpleStatementLine:
        return False
    for small in stmt.body:
        if type(small) is cst.Assign and any(type(t.target) is cst.Name and t.target.value == name for t in small.targets):
            value = small.value
            return (
                type(value) in (cst.Call, cst.BinaryOperation)
                and not creates_leaf(value, ctx)
                and not makes_leaf_in_place(value)
                and not _wraps_parameter(value, ctx)
            )
    return False


def _wraps_parameter(value, ctx) -> bool:
    """``nn.Parameter(torch.randn(n, d))`` in the other branch (CenterLoss's ``if use_gpu: centers =
    nn.Parameter(...).cuda() else: centers = nn.Parameter(...)``): a would-be parameter, not a value
    computed from others, whatever the walk knows of a branch it has not reached yet."""
    return type(value) is cst.Call and ctx.value(value.func).qual == "torch.nn.Parameter"


#: methods that give their tensor one dtype
_DTYPE_METHODS = {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16"}
_FLOAT32 = frozenset({"float32", "float"})


def _float_of_float32(op, creation, ctx) -> bool:
    """``nn.Parameter(torch.ones(n)).float()``: ``.float()`` (or ``.to(torch.float32)``) of a float32
    tensor is a no-op that returns the same leaf. Only a tensor whose dtype is known to be another (``dtype=torch.float64``,
    ``.double()``) is converted (the catalog's ``.float()`` of float64): lycoris's
    ``nn.Parameter(torch.norm(w.float(), ...)).float()`` keeps its Parameter."""
    if not (type(op) is cst.Call and type(op.func) is cst.Attribute):
        return False
    if not (op.func.attr.value == "float" and not op.args) and not _to_float32(op, ctx):
        if not _cpu_float_type(op, creation, ctx):
            return False
    made = creation
    if ctx.value(creation.func).qual == "torch.nn.Parameter":
        if not creation.args:
            return True
        made = creation.args[0].value
    dtype = _known_dtype(made)
    return dtype is None or dtype in _FLOAT32


def _to_float32(op, ctx) -> bool:
    """``.to(torch.float32)``, also through a name or field bound to it (``.to(self.quant_dtype)`` with
    ``self.quant_dtype = torch.float32``, torchao's module-swap quantizers): ``.float()`` spelt so."""
    if op.func.attr.value != "to" or len(op.args) != 1:
        return False
    arg = op.args[0]
    if arg.keyword is not None and arg.keyword.value != "dtype":
        return False
    name = dotted(arg.value) or ""
    qual = ctx.value(arg.value).qual or ""
    return any(n.startswith("torch.") and n[6:] in _FLOAT32 for n in (name, qual))


def _cpu_float_type(op, creation, ctx) -> bool:
    """``.type(torch.FloatTensor)`` (``.type(dtype)`` with ``dtype = torch.FloatTensor``) of a leaf the
    factory made on the CPU: the type it already has, so the same leaf comes back (the CPU branch of
    HandsOnDeepLearningWithPytorch#2's ``dtype``)."""
    if op.func.attr.value != "type" or len(op.args) != 1 or op.args[0].keyword is not None:
        return False
    if ctx.value(op.args[0].value).qual != "torch.FloatTensor" or kwarg(creation, "device") is not None:
        return False
    return "set_default_device" not in (getattr(ctx, "source", "") or "")


def _known_dtype(node):
    """The dtype a tensor expression gives, when it says so: ``dtype=torch.float64``, ``.double()``,
    ``.to(torch.float16)``; None when not known."""
    if type(node) is not cst.Call:
        return None
    dtype = kwarg(node, "dtype")
    if dtype is not None:
        name = dotted(dtype.value) or ""
        return name.rsplit(".", 1)[-1] if name.startswith("torch.") else None
    if type(node.func) is cst.Attribute:
        method = node.func.attr.value
        if method in _DTYPE_METHODS and not node.args:
            return _DTYPE_METHODS[method]
        if method == "to":
            for arg in node.args:
                name = dotted(arg.value) or ""
                if arg.keyword is None and name.startswith("torch.") and name[6:] in _TORCH_DTYPES:
                    return name[6:]
    return None


_TORCH_DTYPES = frozenset(
    "float32 float float64 double float16 half bfloat16 int64 long int32 int int16 int8 uint8 bool".split()
)


def _moves(op) -> bool:
    return type(op) is cst.Call and type(op.func) is cst.Attribute and op.func.attr.value in ("to", "cuda")



#: methods whose result lies on the device of the tensor they are called on
_SAME_DEVICE = frozenset({"data", "float", "double", "half", "bfloat16", "clone", "detach", "contiguous", "view", "reshape"})


def _to_own_device(op, creation) -> bool:
    """``nn.Parameter(p.data.float()).to(p.device)`` (fairscale's fp32 master copies): the data of the
    leaf was taken from ``p`` by ops that keep its device, and the move goes to ``p.device``, where
    the leaf already is: ``.to`` returns the leaf itself (the catalog: a move to where a tensor
    already is is a no-op)."""
    if not (type(op) is cst.Call and type(op.func) is cst.Attribute and op.func.attr.value == "to"):
        return False
    if len(op.args) != 1 or op.args[0].star or op.args[0].keyword is not None and op.args[0].keyword.value != "device":
        return False
    destination = op.args[0].value
    if not (type(destination) is cst.Attribute and destination.attr.value == "device"):
        return False
    owner = dotted(destination.value)
    if owner is None or not creation.args or creation.args[0].keyword is not None:
        return False
    data = creation.args[0].value
    while True:
        if type(data) is cst.Attribute and data.attr.value in _SAME_DEVICE:
            data = data.value
        elif type(data) is cst.Call and type(data.func) is cst.Attribute and data.func.attr.value in _SAME_DEVICE:
            data = data.func.value
        else:
            break
    return dotted(data) == owner


#: factories that make their tensor on the device of their first argument unless given ``device=``
_LIKE_FACTORIES = frozenset(
    "torch." + name
    for name in ("zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "randint_like")
)


def _to_device_of_its_template(op, creation, ctx) -> bool:
    """``delta = torch.zeros_like(images, requires_grad=True).to(device)`` where the block last bound
    ``images = ....to(device)`` (the same device expression; or ``.cuda()`` after ``.cuda()``): a
    ``*_like`` factory makes its tensor on the device of its template, so the move returns the leaf
    itself (checked with torch 2.13) and an attack's perturbation keeps its ``.grad``."""
    if not (type(op) is cst.Call and type(op.func) is cst.Attribute and ctx.block is not None):
        return False
    if ctx.value(creation.func).qual not in _LIKE_FACTORIES or kwarg(creation, "device") is not None:
        return False
    if not creation.args or creation.args[0].keyword is not None or type(creation.args[0].value) is not cst.Name:
        return False
    statements, index = ctx.block
    template = value_bound_before(statements, index, creation.args[0].value.value)
    if not (type(template) is cst.Call and type(template.func) is cst.Attribute):
        return False
    if op.func.attr.value == "cuda" and not op.args:
        return template.func.attr.value == "cuda" and not template.args
    destination, moved_to = _device_argument(op), _device_argument(template)
    return destination is not None and destination == moved_to


def _device_argument(call: cst.Call):
    """The dotted name ``d`` of ``x.to(d)`` / ``x.to(device=d)``, else None."""
    if call.func.attr.value != "to" or len(call.args) != 1 or call.args[0].star:
        return None
    keyword = call.args[0].keyword
    if keyword is not None and keyword.value != "device":
        return None
    return dotted(call.args[0].value)


def _field_differentiated_elsewhere(target, creation, ctx) -> bool:
    """``self.context = torch.zeros(n, requires_grad=True).to(device)`` that the project differentiates
    only with ``autograd.grad`` (``fields_differentiated``). Not an ``nn.Parameter``: what is lost
    there is the registration in the module, which ``autograd.grad`` does not make up for."""
    if type(target) is not cst.Attribute or dotted(target.value) != "self" or ctx.current_class is None:
        return False
    if ctx.value(creation.func).qual == "torch.nn.Parameter":
        return False
    return field_only_differentiated(target.attr.value, ctx.current_class.name, ctx)
