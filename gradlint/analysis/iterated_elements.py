"""Graphs kept one per iteration of an earlier loop, then backpropagated one per iteration of a
later loop over the container that holds them.

    for t in range(T):
        logits = policy(state)
        log_probs.append(Categorical(logits=logits).log_prob(action))
    for lp in log_probs:
        (-lp).backward()

Each element's graph was built by its own iteration (a new ``logits`` each time): the first
backward frees the first element's graph only, and the next element's backward goes through a
graph nothing freed (torch 2.13 runs it). The walk knows the elements only as one value whose
dependencies name ``logits``, the last graph the earlier loop built, so GRD504 took it for one graph
backpropagated again and again. Such a name is one of those graphs, not a graph the elements share,
when every binding of it is inside a loop that is not the backpropagating loop (nor encloses it),
and the backpropagating loop reaches it only through its own ``for`` target (it never reads the
name itself). A graph built once before the filling loop (``h = encoder(x)`` then a list of
``head(h)``) is shared by every element, and its name is bound outside any loop: still reported.
"""

from __future__ import annotations

from typing import List

import libcst as cst

from .source_order import contains
from .syntax import per_node, target_names, walk
from .usage_scans import bound_names

_LOOPS = (cst.For, cst.While)
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def one_graph_per_element(ctx, loop, name: str, deps) -> bool:
    """Whether ``name``, freed by an earlier backward and in the dependencies of a loss this loop
    backpropagates, is one of a container's per-iteration graphs reached through ``loop``'s target."""
    if type(loop) is not cst.For or not (target_names(loop.target) & set(deps)):
        return False
    if name in _read_names(loop.body):
        return False
    scope = ctx.function if ctx.function is not None else ctx.module_node
    if scope is None:
        return False
    sites = _binding_loops(scope, name)
    return bool(sites) and all(
        enclosing and all(outer is not loop and not contains(outer, loop) for outer in enclosing)
        for enclosing in sites
    )


@per_node
def _read_names(body) -> frozenset:
    return frozenset(node.value for node in walk(body, _NESTED) if type(node) is cst.Name)


def _binding_loops(scope, name: str) -> List[tuple]:
    """For each statement of ``scope`` binding ``name``: the loops around it (a ``for`` binding it in its
    target among them)."""
    loops = [node for node in walk(scope, _NESTED) if type(node) in _LOOPS]
    sites = [
        node
        for node in walk(scope, _NESTED)
        if type(node) in (cst.SimpleStatementLine, cst.SimpleStatementSuite) and name in bound_names(node)
        or type(node) is cst.For and name in target_names(node.target)
    ]
    return [tuple(loop for loop in loops if loop is site or contains(loop, site)) for site in sites]
