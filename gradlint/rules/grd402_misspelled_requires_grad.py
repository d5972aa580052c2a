import libcst as cst

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
        if ctx.value(target.value).kind in ("tensor", "module"):
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
