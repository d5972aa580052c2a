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
    ``self.<field>`` entries of ``saved_params`` spelt from the caller (``module_path.<field>``).

    ``carried``: the entries the call's arguments brought in, already in the caller's names (see
    ``carried_paths``). They are not the forward's own: renamed, every block of a chain
    (``x = self.block7(x)`` after ``self.block1`` .. ``self.block6``) would add a renamed copy of
    all the blocks before it, and the set would double at each block (xception's twelve blocks:
    32,772 entries, a fifth of the file's lint).
    """
    if module_path is None:
        return value
    if value.kind == "tensor":
        if not any(_own(path) and path not in carried for path in value.saved_params):
            return value
        return value.with_(
            saved_params=frozenset(
                path if path in carried else _renamed(path, module_path) for path in value.saved_params
            )
        )
    if value.kind in ("seq", "dict"):
        return value.with_(
            elem=saved_in_caller_names(value.elem, module_path, carried) if value.elem is not None else None,
            items=tuple(saved_in_caller_names(item, module_path, carried) for item in value.items),
        )
    return value


def carried_paths(values) -> frozenset:
    """The ``saved_params`` entries of ``values`` (a call's argument values) and of the tensors they hold."""
    paths: frozenset = frozenset()
    for value in values:
        if value is None:
            continue
        if value.kind == "tensor":
            paths |= value.saved_params
        elif value.kind in ("seq", "dict"):
            paths |= carried_paths((value.elem, *value.items))
    return paths


def _own(path: str) -> bool:
    return path == "self" or path.startswith("self.")


def _renamed(path: str, module_path: str) -> str:
    return module_path + path[len("self"):] if _own(path) else path
