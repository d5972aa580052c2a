"""Modules handed, as a statement of their own, to a function the analysis does not follow.

``quantize_(model, config)``, ``prune(model, amount)``, ``replace_with_lora(model)``: a function
of another library called on a module for its effect (its result dropped) may transform the
module in place, swapping its layers' parameters for others (a quantized Linear whose ``weight``
is an ``nn.Parameter(q, requires_grad=False)``). Whether those parameters require grad is not
known after it: ``model.linear1.weight.copy_(w)`` may write a frozen tensor (torchao's AWQ test
loading a quantized checkpoint). The model and its layers stay what they were otherwise (their
forwards, their modes, what they are as modules).
"""

from __future__ import annotations

import builtins

import libcst as cst

from .syntax import dotted
from .values import tensor

#: libraries whose functions read, print or copy a module, never swap its parameters
_KEEPING = frozenset(
    {"torch", "numpy", "builtins", "math", "functools", "itertools", "operator", "copy", "logging", "warnings", "pprint"}
)


def unfollowed_call(analyzer, call: cst.Call) -> bool:
    """A call of a function the analysis does not follow and that may change what it is given:
    not one of torch, numpy or the standard helpers above, not the project's own functions or
    methods (followed), not a class, not a builtin (``print(model)``)."""
    callee = analyzer.silent_eval(call.func)
    if callee.kind == "ref":
        return bool(callee.qual) and callee.qual.split(".", 1)[0] not in _KEEPING
    return callee.kind == "unknown" and not (type(call.func) is cst.Name and hasattr(builtins, call.func.value))


def forget_layers(analyzer, call) -> None:
    """After ``call`` (a statement's value): the parameters of a module it hands to a function the
    analysis does not follow, and of that module's layers, are leaves whose requires_grad is unknown."""
    if type(call) is not cst.Call or not call.args or not unfollowed_call(analyzer, call):
        return
    env = analyzer.state.env
    for arg in call.args:
        path = dotted(arg.value)
        module = analyzer.lookup(path) if path is not None else None
        if module is None or module.kind != "module":
            continue
        owners = [path]
        if module.cls is not None:
            owners += [f"{path}.{attr}" for attr, field in module.cls.attrs.items() if field.kind == "module"]
        for owner in owners:
            for name in ("weight", "bias"):
                env[f"{owner}.{name}"] = tensor(None, True)
