"""Loops over data, told apart from loops that only count.

``for x, _ in loader: model(x)`` runs the model over a dataset (filling batch-norm statistics,
scoring each batch), while ``for _ in range(10): model(x)`` repeats one input (a warm-up, a timing
loop). A forward whose statement drops its output frees its graph at once either way, but only the
first keeps recording a graph for every batch of a dataset: an evaluation pass that forgot
``torch.no_grad()`` (torch-uncertainty's MC batch norm ``fit``).
"""

import libcst as cst

from .syntax import dotted, walk

#: calls whose iteration counts (``range(n)``, ``itertools.count()``, ``trange(n)``)
_COUNTING = frozenset({"range", "count", "repeat", "trange", "arange"})
#: calls that iterate their first argument's items (``enumerate(range(n))`` still counts)
_WRAPPERS = frozenset({"enumerate", "tqdm", "iter", "list", "reversed", "sorted"})


def counts_only(iterable: cst.BaseExpression) -> bool:
    """The iterable yields numbers (or nothing known to be data): a literal, a range, a count."""
    if type(iterable) in (cst.Integer, cst.List, cst.Tuple) and not _holds_names(iterable):
        return True
    if type(iterable) is not cst.Call:
        return False
    name = (dotted(iterable.func) or "").rsplit(".", 1)[-1]
    if name in _COUNTING:
        return True
    if name in _WRAPPERS and iterable.args and iterable.args[0].keyword is None:
        return counts_only(iterable.args[0].value)
    return False


def inside_loop_over_data(node: cst.CSTNode, loop: cst.CSTNode) -> bool:
    """``node`` lies inside ``loop``'s body (in the loop's own function) and the loop iterates data."""
    if type(loop) is not cst.For or counts_only(loop.iter):
        return False
    return any(inner is node for inner in walk(loop.body))


def _holds_names(display) -> bool:
    return any(type(inner) in (cst.Name, cst.Attribute, cst.Call) for inner in walk(display))


def given_the_loop_item(call: cst.Call, loop: cst.CSTNode) -> bool:
    """``call`` passes a name the ``for`` loop binds (``warm_up(model, x)`` in ``for x, _ in loader``):
    a helper that runs the model on what it is given runs it on the loop's data; ``test(model=load(m))``
    in ``for m in (last, best)`` gives it a model, not a batch."""
    if type(loop) is not cst.For:
        return False
    targets = {node.value for node in walk(loop.target) if type(node) is cst.Name}
    return any(type(arg.value) is cst.Name and arg.value.value in targets for arg in call.args)
