"""Statements whose graph is dropped as soon as it is built: ``sample = torch.sigmoid(decoder(z)).data``.

The ops of the expression save their inputs for a backward, but the statement keeps only the
values (``.data``, ``.detach()``, ``.item()``, ``.tolist()``, ``.numpy()``, possibly moved or
converted afterwards): nothing holds the graph after the statement, so no backward can ever read
what it saved, and an in-place write to ``z`` afterwards (Beta-VAE's latent traversal,
``z[:, row] = val`` in the next iteration) raises nothing.
"""

from __future__ import annotations

import libcst as cst

from .syntax import walk

#: what takes the values out of the graph
_DETACHING_METHODS = frozenset({"detach", "item", "tolist", "numpy"})
#: what may follow it: moves and conversions of the detached values
_AFTERWARDS = frozenset({"cpu", "cuda", "to", "float", "double", "half", "clone", "contiguous", "squeeze", "unsqueeze"})


def graph_dropped_at_once(node: cst.BaseExpression) -> bool:
    """``node`` ends in ``.data`` / ``.detach()`` (and the like) applied to what it computes, with no
    name bound on the way (``:=``): the graph built inside is unreachable once the statement ends."""
    current = node
    while True:
        if type(current) is cst.Subscript:
            current = current.value
        elif type(current) is cst.Attribute and current.attr.value == "data":
            break
        elif type(current) is cst.Call and type(current.func) is cst.Attribute:
            method = current.func.attr.value
            if method in _DETACHING_METHODS:
                break
            if method not in _AFTERWARDS:
                return False
            current = current.func.value
        else:
            return False
    return not any(type(inner) is cst.NamedExpr for inner in walk(node))
