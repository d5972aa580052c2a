"""A bound on how many graphs one value names (``Value.deps``), so that long chains stay linear.

A value names the paths of the non-leaf grad tensors it was computed from, transitively: in a
function of n statements ``y_i = f(y_{i-1})`` the last value names n - 1 of them, and keeping
them all costs time and memory quadratic in n (3000 such statements: 250 MB, 6 s).

Every reader of ``deps`` takes a named path as an established fact (``loss.backward()`` frees the
graphs its value names; backpropagating a value that names a freed graph fails); the readers that
look at a path's absence only forget a fact there (a name rebound to a value not built on its freed
graph is no longer freed). So naming fewer paths can only make rules quieter. Past ``MAX_DEPS``,
a value keeps the paths its own operation added and the first of the others in sorted order:
deterministic, whatever the hash seed. Ordinary functions stay far below the bound.
"""

from __future__ import annotations

from typing import Iterable

MAX_DEPS = 256


def capped(deps: frozenset, direct: Iterable[str] = ()) -> frozenset:
    """``deps``, or at most ``MAX_DEPS`` of them (``direct`` first) when there are more."""
    if len(deps) <= MAX_DEPS:
        return deps
    direct = frozenset(direct)
    kept = sorted(deps - direct)[: max(0, MAX_DEPS - len(direct))]
    return frozenset(kept).union(direct)
