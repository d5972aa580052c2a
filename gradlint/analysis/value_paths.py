"""What a value says about the graph it was computed from: the dotted paths of the scope that
computed it (``deps``), the modules it went ``through``, and whether it holds a graph at all. Kept
apart from the value lattice (``values``): these read and rewrite a value's paths when it crosses
a scope (a call, a return, a caller's names)."""

from __future__ import annotations

import libcst as cst

from .dep_bounds import capped
from .syntax import base_path
from .values import Value


def without_paths(value: Value) -> Value:
    """The value as seen from another scope: the dotted paths it names (``deps``,
    ``data_of``) are the names of the scope that computed it, meaningless elsewhere."""
    if value.kind == "tensor":
        if value.deps or value.data_of is not None:
            return value.with_(deps=frozenset(), data_of=None)
        return value
    if value.kind in ("seq", "dict", "dist") and (value.items or value.elem is not None or value.maybe):
        return value.with_(
            elem=without_paths(value.elem) if value.elem is not None else None,
            items=tuple(without_paths(item) for item in value.items),
            maybe=tuple((key, without_paths(held)) for key, held in value.maybe),
        )
    return value


def renamed_owners(value: Value, rename) -> Value:
    """An optimizer a callee stepped, its owners in the caller's names (``self.img_enc`` of the
    receiver's class is ``model.img_enc`` at ``model.train_emb(...)``)."""
    if value.kind != "optimizer" or (value.owner is None and not value.owners):
        return value
    return value.with_(owner=rename(value.owner), owners=frozenset(rename(owner) for owner in value.owners))


def all_deps(value: Value) -> frozenset:
    """The graph paths a value (a tensor, or the tensors of a tuple or list) was computed from."""
    if value.kind == "tensor":
        return value.deps
    if value.kind == "seq":
        found = value.elem.deps if value.elem is not None else frozenset()
        for item in value.items:
            found = found | all_deps(item)
        return found
    return frozenset()


def add_deps(value: Value, deps: frozenset, through: frozenset = frozenset(), saved: frozenset = frozenset()) -> Value:
    """The value with ``deps`` (and the modules it went ``through``, whose parameters its graph
    ``saved``) added to every tensor in it that may require grad."""
    if not (deps or through or saved):
        return value
    if value.kind == "tensor" and value.grad is not False:
        return value.with_(
            deps=capped(value.deps | deps), through=value.through | through, saved_params=value.saved_params | saved
        )
    if value.kind in ("seq", "dict"):
        return value.with_(
            elem=add_deps(value.elem, deps, through, saved) if value.elem is not None else None,
            items=tuple(add_deps(item, deps, through, saved) for item in value.items),
        )
    return value


def holds_graph(value: Value) -> bool:
    """A non-leaf grad tensor, or a tuple/list of them (an LSTM's ``(h, c)``)."""
    if value.kind == "seq":
        return bool(value.items) and all(holds_graph(item) for item in value.items)
    return value.is_nonleaf_grad


def argument_paths(call: cst.Call) -> frozenset:
    """The paths a call reads as its arguments (``self.hidden`` of ``self.rnn(x, self.hidden)``)."""
    return frozenset(path for arg in call.args if (path := base_path(arg.value)) is not None)


def library_module(callee: Value) -> bool:
    """A module of torch or another library (``nn.LSTM``), not of the project: its outputs are what
    its forward computed from all its arguments, with no detach the walk could see."""
    return callee.kind == "module" and callee.cls is None
