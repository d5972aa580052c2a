"""The graphs a project function's result holds through its arguments.

A value names the graphs it was computed from (``Value.deps``: the paths of the non-leaf grad tensors
it went through), in the names of the scope that computed it. A callee's result is seen by its caller
without them (``without_paths``), so ``l = loss(fc(x, W, b), y)`` with ``y`` a slice of a graph
``Y = X @ true_W + true_b`` built before the loop was not known to go through ``Y``: the loop's
backward() frees that graph in its first iteration and raises "Trying to backward through the graph a
second time" in the next (the d2l-style notebook of corpus_threads3 p19). The callee's result keeps
the parameters it was computed from; the call gives it the graphs its arguments hold, in the caller's
names.

A graph the caller's backward() already freed is not a grad tensor's ``deps`` but a freed path
(``State.freed``): ``loss, hidden = step(model, batch, hidden)`` in a loop hands the previous
iteration's state back in. The callee is then walked with that parameter freed (``Context.freed``),
and the positions of its result still built on it are built on the caller's freed graph
(``Summary.carries``), as ``out, hidden = lstm(x, hidden)`` written in the loop is.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

import libcst as cst

from .arguments import parameters
from .values import Value, join_all
from .value_paths import add_deps, all_deps


def parameter_deps(returns: Iterable[Value], function: cst.FunctionDef) -> frozenset:
    """The parameters of ``function`` whose graphs what it returns went through."""
    returns = list(returns)
    if not returns:
        return frozenset()
    deps = all_deps(join_all(returns))
    if not deps:
        return frozenset()
    names = {param.name.value for param in parameters(function)}
    return frozenset(name for name in names if any(_names_param(dep, name) for dep in deps))


def deps_by_position(returns: list, function: cst.FunctionDef) -> tuple:
    """For a function whose every return (or yield) is a tuple of one length (``return X[j], Y[j]``):
    the parameters each position went through (``parameter_deps``), else ()."""
    lengths = {len(value.items) if value.kind == "seq" else -1 for value in returns}
    if len(lengths) != 1 or (length := lengths.pop()) <= 0:
        return ()
    return tuple(parameter_deps([value.items[i] for value in returns], function) for i in range(length))


def through_results(summary, bound: Optional[Dict[str, Value]], renames: dict, generator: bool) -> Value:
    """The call's result (for a generator, what iterating it gives) with the graphs its arguments
    hold: each position of a returned tuple with those of the parameters it went through."""
    result = summary.returns
    if generator:
        if result.kind != "seq" or result.elem is None:
            return result
        return result.with_(elem=_through_items(result.elem, summary, bound, renames))
    return _anew(_through_items(result, summary, bound, renames))


def _anew(given: Value) -> Value:
    """Each call builds its graphs anew. The summary's result is kept for every call with the same
    context: handed out as it is, two calls' graphs would be one object, which ``State.join`` takes
    for a name no path rebound (``extra = similarity(rows, other)`` in an inner loop: the graph of the
    outer loop's previous iteration, which its backward() freed, kept as if the inner loop had run no
    iteration). A graph, or a tuple's graphs, is so given as a new object."""
    if given.kind == "tensor" and given.grad is True:
        return given.with_()
    if given.kind == "seq" and any(_graph(item) for item in given.items):
        return given.with_(items=tuple(item.with_() if _graph(item) else item for item in given.items))
    return given


def _graph(value: Value) -> bool:
    return value.kind == "tensor" and value.grad is True


def _through_items(result: Value, summary, bound, renames: dict) -> Value:
    by_position = summary.returns_by_position
    if result.kind == "seq" and by_position and len(result.items) == len(by_position):
        items = tuple(through_arguments(item, deps, bound, renames) for item, deps in zip(result.items, by_position))
        return result.with_(items=items)
    return through_arguments(result, summary.returns_from, bound, renames)


def through_arguments(result: Value, returns_from: frozenset, bound: Optional[Dict[str, Value]], renames: dict) -> Value:
    """``result`` with the graphs the arguments given for ``returns_from`` hold, in the caller's names."""
    if not returns_from or bound is None or result.kind != "tensor" or result.grad is not True:
        return result
    deps = set()
    for name in returns_from:
        value = bound.get(name)
        if value is None or value.kind != "tensor" or value.grad is not True:
            continue
        deps |= value.deps
        path = renames.get(name)
        if path and path != "self" and value.leaf is False:
            deps.add(path)
    return add_deps(result, frozenset(deps)) if deps else result


def _names_param(dep: str, name: str) -> bool:
    return dep == name or dep.startswith(name + ".") or dep.startswith(name + "[")


def freed_arguments(bound: Dict[str, Value], renames: dict, freed: frozenset) -> frozenset:
    """The parameters whose argument may still hold a graph the caller's backward() freed
    (``loss, hidden = step(model, batch, hidden)`` in a loop): the callee is walked with them freed,
    so that what it builds on them is known to be built on that graph (``_freed_operands``)."""
    return frozenset(
        name
        for name, value in bound.items()
        if (path := renames.get(name)) in freed
        and path != "self"
        and value.kind in ("unknown", "seq", "tensor")
        and value.grad is not False
        and value.leaf is not True
    )


def carried_positions(returns: list, carries: list) -> tuple:
    """The freed parameters the result is still built on (``Summary.carries``): one set per position
    when every return is a tuple of one length, else a single set for the whole result. A parameter
    counts at a return only while it is still freed there: rebound to a graph not built on it
    (``hidden = tuple(h.detach() for h in hidden)``), it is not the caller's graph any more."""
    if len(returns) != len(carries) or not any(carries):
        return ()
    lengths = {len(value.items) if value.kind == "seq" else -1 for value in returns}
    if len(lengths) == 1 and (length := lengths.pop()) > 0:
        return tuple(
            frozenset().union(*(_params_in(all_deps(value.items[i]), held) for value, held in zip(returns, carries)))
            for i in range(length)
        )
    return (frozenset().union(*(_params_in(all_deps(value), held) for value, held in zip(returns, carries))),)


def with_carried(result: Value, carries: tuple, renames: dict) -> Value:
    """The call's result built on the freed graphs its arguments hold, in the caller's names."""
    if not carries:
        return result
    if len(carries) == 1 and not (result.kind == "seq" and len(result.items) == 1):
        return _add_paths(result, carries[0], renames)
    if result.kind != "seq" or len(result.items) != len(carries):
        return result
    return result.with_(items=tuple(_add_paths(item, held, renames) for item, held in zip(result.items, carries)))


def _add_paths(value: Value, params: frozenset, renames: dict) -> Value:
    paths = frozenset(path for name in params if (path := renames.get(name)))
    return add_deps(value, paths) if paths else value


def _params_in(deps: frozenset, params: frozenset) -> frozenset:
    return frozenset(name for name in params if any(_names_param(dep, name) for dep in deps))
