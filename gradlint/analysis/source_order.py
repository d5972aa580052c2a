"""Source order of libcst nodes: ``syntax.walk`` goes right to left (a stack), which is enough to find
nodes but not to tell which of two statements runs first."""

from __future__ import annotations

import libcst as cst

from .syntax import walk


def in_source_order(node: cst.CSTNode):
    """``node`` and the nodes under it, in the order of the source."""
    yield node
    for child in node.children:
        yield from in_source_order(child)


def contains(outer: cst.CSTNode, node: cst.CSTNode) -> bool:
    """``node`` is ``outer`` or under it."""
    return any(inner is node for inner in walk(outer))
