"""Objects another library builds around a model, which backpropagate through what they are given.

``cam_extractor = LayerCAM(model, target_layer=layers)`` (torchcam), ``cam = GradCAM(model=model,
target_layers=[...])`` (pytorch-grad-cam): the object hooks the model's layers, and calling it with
the model's output (``cam_extractor(class_idx, out)``) runs a backward() through that output to read
the hooked gradients. A loop that evaluates the model and hands each output to such an object keeps
its graph on purpose: ``torch.no_grad()`` around it would break the extractor. Asked by GRD505.

Only a name bound once, in the loop's function (or at module level), to a call of a callable imported
from a library other than torch and numpy that is given the model itself: a metric object built
without the model (``torchmetrics.Accuracy()``) never differentiates what it is given.
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .syntax import per_node, walk

#: roots of the libraries whose callables never backpropagate through a model they are given
_PLAIN_ROOTS = ("torch", "numpy", "builtins", "math", "functools", "itertools", "operator", "copy")


def calls_model_wrapper(call: cst.Call, ctx) -> bool:
    """``call`` is ``w(...)`` or ``w.method(...)`` with ``w`` an object another library built around a model."""
    func = call.func
    if type(func) is cst.Attribute:
        func = func.value
    if type(func) is not cst.Name:
        return False
    for root in (ctx.function, ctx.module_node):
        if root is None:
            continue
        built = _single_call_bindings(root).get(func.value)
        if built is not None:
            return _wraps_model(built, ctx)
    return False


def _wraps_model(built: cst.Call, ctx) -> bool:
    callee = ctx.value(built.func)
    if callee.kind != "ref" or not callee.qual or callee.qual.split(".", 1)[0] in _PLAIN_ROOTS:
        return False
    return any(type(arg.value) in (cst.Name, cst.Attribute) and ctx.value(arg.value).kind == "module" for arg in built.args)


@per_node
def _single_call_bindings(root) -> Dict[str, Optional[cst.Call]]:
    """name -> the call a plain ``name = f(...)`` binds it to, for names bound once in ``root``
    (a name bound twice, or otherwise too, maps to None)."""
    bound: Dict[str, Optional[cst.Call]] = {}
    for node in walk(root, _NESTED):
        if type(node) is cst.Assign:
            for target in node.targets:
                if type(target.target) is cst.Name:
                    name = target.target.value
                    single = len(node.targets) == 1 and type(node.value) is cst.Call
                    bound[name] = node.value if single and name not in bound else None
        elif type(node) in (cst.AnnAssign, cst.AugAssign, cst.For) and type(node.target) is cst.Name:
            bound[node.target.value] = None
    return bound


#: the scopes of their own a scope's bindings do not include
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
