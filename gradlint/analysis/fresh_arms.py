"""After an ``if``: a value computed from a list one arm made anew does not go through the freed
graphs the other arm's list still holds.

An EWC step (continual learning) builds its penalty only from the second task on::

    if context > 1:
        penalties = []
        for n, p in model.named_parameters():
            penalties.append((fisher[n] * (p - means[n]) ** 2).sum())
        total = loss + lam * sum(penalties)
    else:
        total = loss
    total.backward()

On the path that skips the arm, ``penalties`` still holds the last iteration's graphs, which its
backward() freed; the join keeps that may-fact for the list (``State.join``: a list of graphs is
the same list, grown). ``total`` depends on the list only on the path that made it anew, where
nothing is freed: the two facts never meet on one path, and the backward runs (checked with torch
2.13). So the list is dropped from the dependencies of such a value (a later backward through it is
then not known to free the list: a may-miss, never a false alarm). A value computed after the
``if`` from the list joins both paths' lists and keeps the fact (``log_probs`` reset one time in
ten, then ``torch.stack(log_probs).sum().backward()``: raises on the other paths).
"""

from __future__ import annotations


def fresh_arm_deps(before, ends, state):
    """``state`` (the join of ``ends``) with such dependencies dropped."""
    renewed = [name for name in state.freed if name in before.freed and any(name not in end.freed for end in ends)]
    if not renewed:
        return state
    env = state.env
    for name in renewed:
        freed_ends = [end for end in ends if name in end.freed]
        for key, value in list(env.items()):
            if key == name or name not in value.deps:
                continue
            if all(_independent(end.env.get(key), name) for end in freed_ends):
                env[key] = value.with_(deps=value.deps - {name})
    return state


def _independent(value, name: str) -> bool:
    return value is not None and name not in value.deps
