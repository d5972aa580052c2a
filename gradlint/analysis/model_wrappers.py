"""Objects another library builds around a model, which backpropagate through what they are given.

``cam_extractor = LayerCAM(model, target_layer=layers)`` (torchcam), ``cam = GradCAM(model=model,
target_layers=[...])`` (pytorch-grad-cam): the object hooks the model's layers, and calling it with
the model's output (``cam_extractor(class_idx, out)``) runs a backward() through that output to read
the hooked gradients. A loop that evaluates the model and hands each output to such an object keeps
its graph on purpose: ``torch.no_grad()`` around it would break the extractor. Asked by GRD505.

Only a name bound once, in the loop's function (or at module level), to a call of a callable imported
from a library other than torch and numpy that is given the model itself, or a field an explainer
class's ``__init__`` binds once so (``self.cam = GradCAM(model=self.model, ...)``, given a field of the
instance, which the loop's method sees too): a metric object built without the model
(``torchmetrics.Accuracy()``) never differentiates what it is given.
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .syntax import dotted, per_node, walk

#: roots of the libraries whose callables never backpropagate through a model they are given
_PLAIN_ROOTS = ("torch", "numpy", "builtins", "math", "functools", "itertools", "operator", "copy")


def wrapped_models(call: cst.Call, ctx) -> frozenset:
    """The dotted names of the models (``model``, ``self.model``) that ``call``'s object was built around,
    when ``call`` is ``w(...)`` or ``w.method(...)`` with ``w`` an object another library built so."""
    func = call.func
    if type(func) is cst.Attribute and not _is_self_field(func):
        func = func.value
    if _is_self_field(func):
        init = ctx.current_class.methods.get("__init__") if ctx.current_class is not None else None
        built = _single_call_bindings(init).get("self." + func.attr.value) if init is not None else None
        # the constructor's arguments are evaluated here, in the loop's method: only the instance's
        # own fields (``self.model``) mean the same object in both methods
        return _models_wrapped(built, ctx, fields_only=True) if built is not None else frozenset()
    if type(func) is not cst.Name:
        return frozenset()
    for root in (ctx.function, ctx.module_node):
        if root is None:
            continue
        built = _single_call_bindings(root).get(func.value)
        if built is not None:
            return _models_wrapped(built, ctx)
    return frozenset()


def _models_wrapped(built: cst.Call, ctx, fields_only: bool = False) -> frozenset:
    callee = ctx.value(built.func)
    if callee.kind != "ref" or not callee.qual or callee.qual.split(".", 1)[0] in _PLAIN_ROOTS:
        return frozenset()
    kinds = (cst.Attribute,) if fields_only else (cst.Name, cst.Attribute)
    return frozenset(
        dotted(arg.value)
        for arg in built.args
        if type(arg.value) in kinds
        and (not fields_only or _is_self_field(arg.value))
        and ctx.value(arg.value).kind == "module"
    )


def _is_self_field(node) -> bool:
    """``self.<name>``."""
    return type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self"


@per_node
def _single_call_bindings(root) -> Dict[str, Optional[cst.Call]]:
    """name (or ``self.<field>``) -> the call a plain ``name = f(...)`` binds it to, for names bound once
    in ``root`` (a name bound twice, or otherwise too, maps to None)."""
    bound: Dict[str, Optional[cst.Call]] = {}
    for node in walk(root, _NESTED):
        if type(node) is cst.Assign:
            for target in node.targets:
                if type(target.target) is cst.Name or _is_self_field(target.target):
                    name = target.target.value if type(target.target) is cst.Name else "self." + target.target.attr.value
                    single = len(node.targets) == 1 and type(node.value) is cst.Call
                    bound[name] = node.value if single and name not in bound else None
        elif type(node) in (cst.AnnAssign, cst.AugAssign, cst.For) and type(node.target) is cst.Name:
            bound[node.target.value] = None
    return bound


#: the scopes of their own a scope's bindings do not include
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def wrapped_in_helpers(helpers, ctx) -> frozenset:
    """The models that the file's functions a loop calls (``helpers``) hand to objects another
    library built around them: MONAI's interpretability tutorial evaluates ``saliency(model, d)`` in
    a loop, and ``saliency`` calls ``gradcampp(x=img)``, ``smooth_grad(img)`` with
    ``gradcampp = GradCAMpp(model, target_layers=...)`` bound once at module level (or in the
    helper): those run the model and backpropagate through it, so the loop needs grad mode."""
    found: set = set()
    for helper in helpers:
        for call in (node for node in walk(helper) if type(node) is cst.Call):
            func = call.func.value if type(call.func) is cst.Attribute else call.func
            if type(func) is not cst.Name:
                continue
            for root in (helper, ctx.module_node):
                built = _single_call_bindings(root).get(func.value) if root is not None else None
                if built is not None:
                    found |= _models_wrapped(built, ctx)
                    break
    return frozenset(found)
