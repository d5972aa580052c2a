"""What a tensor filled by index assignment holds (``Bindings._fill``).

``returns = torch.zeros_like(rewards)`` then ``returns[t] = running`` in a loop (a lambda-return or
discounted-return helper): the buffer is part of the graph of every value written into it, so it keeps
their facts: the non-leaf grad tensors they were computed from (``deps``, with the written name itself),
the modules whose outputs they came from and the parameters those saved (``through``, ``saved_params``),
and whether a step already made them stale. A step of the value model's optimizer then leaves the
buffer stale too: an actor loss built on it raises at its backward() (GRD205, Dreamer_PyTorch #2)."""

from __future__ import annotations

from typing import Optional

from .dep_bounds import capped
from .syntax import dotted
from .usage_scans import bound_names
from .values import Value, join_all, tensor


def holds_no_graph(value: Value) -> bool:
    """A value known to carry no graph: a number, ``None``, a string, a tensor that does not
    require grad (or a container of them)."""
    if value.kind in ("number", "none", "str"):
        return True
    if value.kind == "tensor":
        return value.grad is False
    if value.kind == "seq":
        return value.has_grad is False
    return False


def _written_graph(buffer: Value, value: Value, value_node) -> dict:
    own = dotted(value_node) if value_node is not None else None
    named = frozenset({own}) if own and value.grad and value.leaf is False else frozenset()
    return dict(
        deps=capped(buffer.deps | value.deps | named, named),
        through=buffer.through | value.through,
        saved_params=buffer.saved_params | value.saved_params,
        stale=buffer.stale or value.stale,
    )


def filled(buffer: Value, value: Value, value_node, mode) -> Optional[Value]:
    """The buffer after ``buffer[i] = value`` under grad mode ``mode``, or None when unchanged."""
    if mode is False or holds_no_graph(value):
        return None
    if buffer.grad is not False:
        # already part of a graph (an earlier write, a model output): now of this value's graph too;
        # a leaf written in place raises instead (GRD201), its value stays
        if buffer.leaf is True or buffer.struct or value.kind != "tensor":
            return None
        if value.is_grad_tensor and mode is True:
            # whatever it was (a buffer joined at a loop head), it now requires grad
            return buffer.with_(grad=True, leaf=False, **_written_graph(buffer, value, value_node))
        return buffer.with_(**_written_graph(buffer, value, value_node))
    if value.is_grad_tensor and mode:
        # filling a pre-allocated tensor with graph values makes it part of the graph
        return tensor(True, False, **_written_graph(buffer, value, value_node))
    # a value that may carry a graph (a part of a model's tuple output, a value of unknown origin, a
    # graph value under an unknown grad mode): whether the buffer is now part of a graph is not known
    # either (`outputs[t] = out` of a seq2seq decoder loop)
    return tensor(None, None, **_written_graph(buffer, value, value_node))


def kept_filled(loop, start, ends: list, after):
    """After a loop whose body fills a buffer made before it (``returns[t] = running``) and never
    rebinds it: each iteration leaves it part of a graph, which it stays. Only a loop running zero
    times would keep the bare buffer: a may-fact, as for a stale tensor the body recomputes
    (``loops._rebound_fresh``)."""
    rebound = None
    for name, before in start.env.items():
        if before.kind != "tensor" or before.grad is not False or before.struct:
            continue
        now = after.env.get(name)
        if now is None or now.kind != "tensor" or now.grad is not None:
            continue
        filled_ends = [end.env.get(name) for end in ends]
        if not all(v is not None and v.kind == "tensor" and v.grad is True and v.leaf is False for v in filled_ends):
            continue
        rebound = bound_names(loop) if rebound is None else rebound
        if name not in rebound:
            after.env[name] = join_all(filled_ends)
    return after
