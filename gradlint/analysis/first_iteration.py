"""Tests that hold only in a loop's first iteration, and what that means for graphs carried across.

An iterative refinement starts its state in the first iteration and feeds each step's output to
the next::

    for it in range(n_iters):
        if it == 0:
            y_hat, latent = decoder(avg), avg
        y_hat, latent = net(torch.cat([x, y_hat], 1), latent)
        loss.backward()

The walk joins the arm with the path that skips it, and a name one arm rebinds is no longer known
to hold a freed graph after the join (``State.join``). But the arm runs in the first iteration
only, and a graph the previous iteration's backward() freed is carried into the later ones, which
all skip it: there the state entering the step is still the freed graph (the second backward()
raises, checked with torch 2.13).
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, per_node
from .usage_scans import bound_names


def keep_carried_past_first_arm(walker, node: cst.If, later, state):
    """``state`` (the join after ``node``) still holding freed the graphs carried into the innermost
    loop that ``later`` (the end of the path a later iteration takes) holds freed, when ``node``'s
    test holds only in that loop's first iteration."""
    loops = walker._loops
    if not walker.reporting or not loops:
        return state
    record = loops[-1]
    kept = later.freed & record.carried - state.freed
    if not kept or record.node is None or not first_iteration_test(record.node, node.test):
        return state
    state.freed = state.freed | kept
    return state


def first_iteration_test(loop: cst.CSTNode, test: cst.BaseExpression) -> bool:
    """``i == 0``, ``0 == i`` or ``not i`` on the counter of ``loop`` (``for i in range(n)``, ``range(0, n)``
    or ``for i, x in enumerate(xs)`` counting from 0), a name the loop's body never binds."""
    counter = _counter(loop)
    if counter is None:
        return False
    if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        tested = test.expression
    elif type(test) is cst.Comparison and len(test.comparisons) == 1 and type(test.comparisons[0].operator) is cst.Equal:
        left, right = test.left, test.comparisons[0].comparator
        tested = left if _zero(right) else right if _zero(left) else None
    else:
        return False
    return type(tested) is cst.Name and tested.value == counter


@per_node
def _counter(loop: cst.CSTNode):
    """The name of ``loop``'s counter from 0 that its body never rebinds, else None."""
    if type(loop) is not cst.For or type(loop.iter) is not cst.Call or loop.asynchronous is not None:
        return None
    call = loop.iter
    function = dotted(call.func)
    target = loop.target
    if function == "range" and type(target) is cst.Name:
        if len(call.args) > 1 and not _zero(call.args[0].value):
            return None
    elif function == "enumerate" and type(target) in (cst.Tuple, cst.List) and target.elements:
        if any(not _zero(arg.value) for arg in call.args[1:]):
            return None  # enumerate(xs, 1), enumerate(xs, start=offset)
        target = target.elements[0].value
        if type(target) is not cst.Name:
            return None
    else:
        return None
    if any(arg.star for arg in call.args):
        return None
    name = target.value
    return None if name in bound_names(loop.body) else name


def _zero(node) -> bool:
    return type(node) is cst.Integer and node.value == "0"
