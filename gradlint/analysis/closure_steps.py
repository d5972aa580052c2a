"""What ``optimizer.step(closure)`` returns: the closure's result.

``loss = self.optimizer.step(closure)`` (L-BFGS, and every optimizer that takes a closure) returns
what the closure returned, most often the loss it computed and backpropagated: a grad tensor with its
graph. ``losses.append(loss)`` then keeps every step's graph (GRD502; neural-network-lyapunov PR #140).
The closure is a function of the file taking no argument; its value is its summarised walk's result
in the mode it runs in, without replaying its effects here (the step's call of it is modelled where
``step(closure)`` is: see ``evidence`` and ``loop_closures``).
"""

from __future__ import annotations

import libcst as cst

from .calls import MAX_DEPTH, MAX_INLINE_WALKS
from .summaries import Context, closure_key
from .syntax import walk
from .values import UNKNOWN, Value


def closure_result(analyzer, closure: Value) -> Value:
    if closure.kind != "func":
        return UNKNOWN
    functions, names = analyzer._function_table(closure.owner)
    function = functions.get(closure.qual)
    params = getattr(function, "params", None)
    if function is None or names is not None or params.params or params.posonly_params:
        return UNKNOWN
    table = analyzer.calls
    if id(function) in table.active or len(table.active) >= MAX_DEPTH:
        return UNKNOWN
    context = Context({}, analyzer._called_mode(function), None, (), ())
    outer = analyzer._closure_names(function)
    key = (id(function),) + context.key() + (closure_key(outer, function),)
    summary = table.summaries.get(key)
    if summary is None:
        if table.walks >= MAX_INLINE_WALKS:
            return UNKNOWN
        table.walks += 1
        summary = analyzer._summarise(function, context, None, closure=outer)
        table.summaries[key] = summary
    return summary.returns


def closure_backpropagates(module, call) -> bool:
    """``optimizer.step(closure)`` whose closure (a function of the file named by the argument) calls
    ``backward()``: the loop stepping so trains, its backward being in the closure."""
    args = getattr(call, "args", ())
    if module is None or not args or type(args[0].value) is not cst.Name:
        return False
    name = args[0].value.value
    for function in walk(module):
        if type(function) is cst.FunctionDef and function.name.value == name:
            if any(
                type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "backward"
                for node in walk(function.body)
            ):
                return True
    return False
