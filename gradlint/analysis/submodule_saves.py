"""The submodules a model's output went through, in the caller's names.

``q1, q2 = self.critic(states)`` runs ``Critic.forward``, whose walk records that ``q1`` went
through ``self.qnet1`` and ``q2`` through ``self.qnet2`` (``Value.saved_params``, in the forward's
own names). The caller knows them as ``self.critic.qnet1`` and ``self.critic.qnet2``: an optimizer
over ``self.critic.qnet1.parameters()`` (discrete SAC's one optimizer per Q-network) writes weights
that ``q1``'s graph saved, not ``q2``'s. Without the renaming, the caller saw only
``self.critic`` and could not tell that a step over one Q-network broke the policy loss's graph
("one of the variables needed for gradient computation has been modified by an inplace
operation", checked with torch 2.13), nor that it left the other Q-network's loss alone.
"""

from __future__ import annotations

from typing import Optional

from .values import Value


def saved_in_caller_names(value: Value, module_path: Optional[str], carried: frozenset = frozenset()) -> Value:
    """``value``, returned by the forward of the module at ``module_path``, with the forward's
    ``self.<field>`` entries of ``saved_params`` and ``through`` spelt from the caller
    (``module_path.<field>``).

    ``carried``: the entries the call's arguments brought in, already in the caller's names (see
    ``carried_paths``). They are not the forward's own: renamed, every block of a chain
    (``x = self.block7(x)`` after ``self.block1`` .. ``self.block6``) would add a renamed copy of
    all the blocks before it, and the set would double at each block (xception's twelve blocks:
    32,772 entries, a fifth of the file's lint).
    """
    if module_path is None:
        return value
    return _renamed_value(value, module_path, carried)


def method_result_in_caller_names(value: Value, receiver_path: Optional[str], args) -> Value:
    """``value``, returned by a method other than ``forward`` called on the object at ``receiver_path``
    (``loss = model.calculate_loss(batch)``), with the method's ``self.<field>`` entries of ``through``
    and ``saved_params`` spelt from the caller (``model.item_embedding``). Unrenamed, they named
    the caller's own fields, or nothing, and a rule asking which model a loss went through
    (GRD407: every parameter of ``model`` frozen in its constructor) found no model.

    The entries the call's arguments brought in are the caller's already (see ``carried_paths``)."""
    if receiver_path is None or receiver_path == "self":
        return value
    carried = carried_paths((arg for _, arg in args), with_through=True)
    return _renamed_value(value, receiver_path, carried)


def _renamed_value(value: Value, module_path: str, carried: frozenset) -> Value:
    if value.kind == "tensor":
        if not any(_own(path) and path not in carried for path in value.through | value.saved_params):
            return value
        return value.with_(
            through=frozenset(path if path in carried else _renamed(path, module_path) for path in value.through),
            saved_params=frozenset(
                path if path in carried else _renamed(path, module_path) for path in value.saved_params
            ),
        )
    if value.kind in ("seq", "dict"):
        return value.with_(
            elem=_renamed_value(value.elem, module_path, carried) if value.elem is not None else None,
            items=tuple(_renamed_value(item, module_path, carried) for item in value.items),
        )
    return value


def module_paths_renamed(value: Value, rename) -> Value:
    """``value`` (a tensor, or the tensors a tuple, list or dict holds) with its ``through`` and
    ``saved_params`` entries renamed by ``rename``."""
    if value.kind == "tensor":
        if not (value.through or value.saved_params):
            return value
        through = frozenset(rename(path) for path in value.through)
        saved = frozenset(rename(path) for path in value.saved_params)
        if through == value.through and saved == value.saved_params:
            return value
        return value.with_(through=through, saved_params=saved)
    if value.kind in ("seq", "dict") and (value.items or value.elem is not None):
        return value.with_(
            elem=module_paths_renamed(value.elem, rename) if value.elem is not None else None,
            items=tuple(module_paths_renamed(item, rename) for item in value.items),
        )
    return value


def carried_paths(values, with_through: bool = False) -> frozenset:
    """The ``saved_params`` entries of ``values`` (a call's argument values) and of the tensors they hold
    (and their ``through`` entries, ``with_through``)."""
    paths: frozenset = frozenset()
    for value in values:
        if value is None:
            continue
        if value.kind == "tensor":
            paths |= value.saved_params
            if with_through:
                paths |= value.through
        elif value.kind in ("seq", "dict"):
            paths |= carried_paths((value.elem, *value.items), with_through)
    return paths


def _own(path: str) -> bool:
    return path == "self" or path.startswith("self.")


def _renamed(path: str, module_path: str) -> str:
    return module_path + path[len("self"):] if _own(path) else path
