"""Parameters and optimizers of several models, or read through an object: whose parameters they are."""

from __future__ import annotations

from .values import UNKNOWN, Value, join_tri


def params_union(values) -> Value:
    """The parameters of several models together (``itertools.chain(a.parameters(), b.parameters())``,
    ``list(a.parameters()) + list(b.parameters())``): one optimizer over all of them. Their owners
    are known only when every part's is."""
    values = list(values)
    if not values or any(value.kind != "params" for value in values):
        return UNKNOWN
    owners = frozenset().union(*(value.owners or ({value.owner} if value.owner else set()) for value in values))
    known = all(value.owner or value.owners for value in values)
    grad = values[0].grad
    for value in values[1:]:
        grad = join_tri(grad, value.grad)
    return Value(kind="params", grad=grad, owners=owners if known else frozenset())


def owned_by(value: Value, base: str) -> Value:
    """An optimizer or parameters stored on an object, read through ``base`` (``model.optimizer``):
    the object's methods named their owner from inside (``self``, ``self.fc``); outside it is
    ``base`` (``model``, ``model.fc``), so a ``model.zero_grad()`` there clears what it steps."""
    if value.kind not in ("optimizer", "params") or (value.owner is None and not value.owners):
        return value

    def outside(path):
        if path == "self":
            return base
        return base + path[4:] if path is not None and path.startswith("self.") else path

    return value.with_(owner=outside(value.owner), owners=frozenset(outside(p) for p in value.owners))
