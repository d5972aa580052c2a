"""Lists that keep the graphs a backward() freed from one iteration to the next.

REINFORCE keeps each step's ``m.log_prob(action)`` in a list, backpropagates
``-torch.stack(saved_log_probs).sum()`` at the end of the episode, and must empty the list
(``del saved_log_probs[:]``, ``saved_log_probs.clear()``, or a new ``[]``) before the next
episode: otherwise the next episode's backward() goes again through the first episode's graphs,
which the first backward() freed, and raises "Trying to backward through the graph a second time"
(checked with torch 2.13). So ``torch.stack(saved_log_probs)`` names the list among its graphs
(``operations``), a backward() through it frees the list, and the list stays freed while the code
only appends to it: the join of two paths keeps a grown list's freed graphs (``State.join``, which
takes any other changed value for a rebound name), and a loop carries them into its next iteration
unless its body may empty the list (``emptied_names``).
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, per_node, walk
from .values import Value

#: callables that read a list without keeping or emptying it
_READERS = frozenset(
    {"torch.stack", "torch.cat", "torch.sum", "torch.tensor", "sum", "len", "zip", "enumerate", "reversed", "list", "tuple", "sorted", "print", "min", "max"}
)
#: list methods that take elements out of it (or all of them)
_EMPTYING = frozenset({"clear", "pop", "remove"})


def list_of_graphs(value: Value) -> bool:
    """A list the code appends graphs to (its length unknown, its elements non-leaf grad tensors)."""
    return value.kind == "seq" and not value.items and value.elem is not None and value.elem.is_nonleaf_grad


def emptied_names(loop: cst.CSTNode) -> frozenset:
    """The names (and ``obj.field`` paths) ``loop``'s body may empty (see ``_touched``)."""
    body = getattr(loop, "body", None)
    return _touched(body) if body is not None else frozenset()


@per_node
def _touched(body: cst.CSTNode) -> frozenset:
    """Names (and ``obj.field`` paths) the body may empty: ``del x[...]``, ``x[...] = ``, ``x.clear()``
    (``pop``, ``remove``), or an argument of a call that is not a known reader."""
    names = set()
    for node in walk(body):
        node_type = type(node)
        if node_type is cst.Del:
            for target in walk(node.target):
                if type(target) is cst.Subscript:
                    names.add(dotted(target.value))
        elif node_type is cst.AssignTarget and type(node.target) is cst.Subscript:
            names.add(dotted(node.target.value))
        elif node_type is cst.Call:
            func = node.func
            if type(func) is cst.Attribute and func.attr.value in _EMPTYING:
                names.add(dotted(func.value))
            if dotted(func) not in _READERS:
                names.update(dotted(arg.value) for arg in node.args)
    names.discard(None)
    return frozenset(names)
