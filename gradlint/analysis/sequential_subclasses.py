"""Project classes deriving from ``nn.Sequential`` that hand their layers to its constructor.

``class ConvBlock(nn.Sequential): def __init__(self, i, o): super().__init__(nn.Conv2d(i, o, 3),
nn.BatchNorm2d(o), nn.LeakyReLU(0.2))`` (torchvision's ``ConvNormActivation`` shape, SinGAN's
``ConvBlock``): no field holds the layers, so the class looked like a module of unknown
trainability, and a model built of such blocks like one without layers. Its forward is
``nn.Sequential``'s, running those layers in order: the class has parameters when one of them does,
and is a model of several layers when two do (``call_shapes.layered``: every layer after the first
keeps its weight for backward). Read only when every member is a call of a torch layer or of a
module class of the project whose trainability is known, and the class defines no forward.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import libcst as cst

from . import torch_api as api


def _super_init_members(init: cst.FunctionDef) -> Optional[Tuple[cst.Call, ...]]:
    """The layer calls of the ``super().__init__(...)`` statement of ``init`` (None: none, or not all calls)."""
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else ()
    for stmt in body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            call = small.value if type(small) is cst.Expr else None
            func = call.func if type(call) is cst.Call else None
            if not (type(func) is cst.Attribute and func.attr.value == "__init__" and type(func.value) is cst.Call):
                continue
            if not (type(func.value.func) is cst.Name and func.value.func.value == "super"):
                continue
            if any(arg.star or arg.keyword is not None or type(arg.value) is not cst.Call for arg in call.args):
                return None
            return tuple(arg.value for arg in call.args)
    return None


def sequential_layers(node: cst.ClassDef, bases, init, resolve: Callable) -> Optional[Tuple[int, bool]]:
    """For a subclass of ``nn.Sequential`` without a forward of its own: (how many of the layers its
    ``__init__`` gives ``super().__init__`` have parameters, whether each gives one tensor), or None."""
    if init is None or not any(b.kind == "ref" and b.qual == "torch.nn.Sequential" for b in bases):
        return None
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    if any(isinstance(stmt, cst.FunctionDef) and stmt.name.value == "forward" for stmt in body):
        return None
    members = _super_init_members(init)
    if not members:
        return None
    count, single = 0, True
    for call in members:
        layer = resolve(call.func)
        if layer.kind == "ref" and api.is_nn_module_class(layer.qual):
            has = api.nn_module_has_params(layer.qual)
            if has is None:
                return None  # a container given as a member: its layers are not read here
            count += has
            single = single and layer.qual.rsplit(".", 1)[-1] not in api.TUPLE_OUTPUT_MODULES
        elif layer.kind == "class" and layer.cls is not None and layer.cls.is_module and layer.cls.params is not None:
            count += 2 if layer.cls.layers >= 2 else bool(layer.cls.params)
            single = single and layer.cls.single_output
        else:
            return None
    return count, single
