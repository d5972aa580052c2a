import libcst as cst

from ..analysis import dotted, kwarg, literal_bool
from ..analysis.syntax import walk
from ..rule import Fix, Rule, source

_TARGET = "requiresgrad"
#: a candidate contains one of these (case-insensitively): the pre-parse text check
_PARTS = ("requ", "reqi", "grad", "gard")
_KNOWN_MISSPELLINGS = frozenset({"requiresgradient", "requiregradient", "requiresgradients", "requiregradients"})


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def is_misspelling(attr: str) -> bool:
    if attr == "requires_grad" or attr.startswith("_"):
        return False
    folded = attr.lower().replace("_", "")
    if not any(part in folded for part in _PARTS):
        return False
    return folded in _KNOWN_MISSPELLINGS or _distance(folded, _TARGET) <= 2


class MisspelledRequiresGrad(Rule):
    code = "GRD402"
    name = "misspelled-requires-grad"
    severity = "error"
    summary = "assignment to a misspelling of requires_grad creates a new attribute and freezes nothing"

    @classmethod
    def may_fire(cls, text: str) -> bool:
        if any(part in text for part in _PARTS):  # already lower case: no need to lower a large file
            return True
        lowered = text.lower()
        return any(part in lowered for part in _PARTS)

    def __init__(self):
        self._candidates = []

    def on_assign(self, target, ctx, value_node) -> None:
        if not isinstance(target, cst.Attribute) or not is_misspelling(target.attr.value):
            return
        owner = ctx.value(target.value)
        if owner.kind not in ("tensor", "module"):
            return
        flag = literal_bool(value_node)
        if flag is True and _made_a_parameter(ctx, target.value):
            return  # `self.w = nn.Parameter(t)` then `self.w.requiresGrad = True`: it requires grad already
        if flag is False and owner.kind == "tensor" and owner.grad is False:
            return  # `pe = torch.zeros(n, d); pe.require_grad = False`: it requires no grad already
        self._candidates.append(target)

    def on_file_end(self, node, ctx) -> None:
        for target in self._candidates:
            attr = target.attr.value
            if attr in ctx.loaded_attributes:
                continue  # read somewhere: a real attribute of the user's own, not a typo
            name = source(target.value, 30)
            self.report(
                ctx,
                target,
                f"`{name}.{attr}` is not a tensor attribute: this assignment creates a new one and "
                f"`{name}.requires_grad` is unchanged. Did you mean `{name}.requires_grad`?",
                Fix(target, target.with_changes(attr=cst.Name("requires_grad"))),
            )


def _made_a_parameter(ctx, owner) -> bool:
    """``owner`` is bound, in the function (at module level, the module), only to ``nn.Parameter(...)``
    calls that keep the default ``requires_grad=True``: what a misspelled ``= True`` meant holds."""
    path = dotted(owner)
    root = ctx.function if ctx.function is not None else ctx.module_node
    if path is None or root is None:
        return False
    values = [
        node.value
        for node in walk(root)
        if type(node) in (cst.Assign, cst.AnnAssign, cst.AugAssign)
        and any(dotted(target) == path for target in _targets(node))
    ]
    return bool(values) and all(_new_parameter(value) for value in values)


def _targets(node) -> list:
    return [target.target for target in node.targets] if type(node) is cst.Assign else [node.target]


def _new_parameter(value) -> bool:
    if type(value) is not cst.Call or (dotted(value.func) or "").rsplit(".", 1)[-1] != "Parameter":
        return False
    flag = kwarg(value, "requires_grad")
    flag = flag.value if flag is not None else None
    if flag is None and len(value.args) > 1 and value.args[1].keyword is None:
        flag = value.args[1].value
    return flag is None or literal_bool(flag) is True
