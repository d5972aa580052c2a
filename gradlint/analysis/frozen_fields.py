"""Modules that hold nothing trainable because every part of them is frozen.

A class of the project whose fields (set anywhere in it) are all known, hold no tensor that requires
grad and no module with trainable parameters, with at least one of them a layer that had parameters
and was frozen: ``self.conv = nn.Conv2d(...)`` then ``self.conv.weight = nn.Parameter(w,
requires_grad=False)`` (a fixed random feature extractor), or ``self.net = vgg16(requires_grad=False)``
of a class of the project whose constructor freezes it whole (a perceptual metric wrapping a frozen
pretrained network). Its base must be ``nn.Module`` itself and nothing may register parameters by
name (``setattr``, ``add_module``, ...).

Asked of a class as its ``__init__`` leaves it with unknown arguments (``scopes``), and of one
instance, as its constructor walked with the call's arguments leaves it (``constructors``): the
constructor of ``PNet(pnet_type="vgg")`` picks its network by a literal default.
"""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .field_stores import self_assignments
from .syntax import dotted, walk
from .values import STRING

_REGISTERING = frozenset({"setattr", "add_module", "register_module", "register_parameter"})


def frozen_fields_only(bases, methods, fields: dict, roots) -> bool:
    """``bases``: the values of the class's bases; ``methods``: its functions (``__init__`` first);
    ``fields``: field name -> value as the constructor left them (``self.X`` without ``self.``);
    ``roots``: the class body (or its methods), read last for calls that register parameters by name."""
    if any(value.kind != "ref" or value.qual != "torch.nn.Module" for value in bases):
        return False
    names = set().union(*(self_assignments(method) for method in methods if method is not None))
    names |= {name for name in fields if "." not in name}
    frozen = False
    for name in names:
        value = fields.get(name)
        if value is None or value.kind == "unknown" and not value.qual.startswith(STRING):
            return False  # (a literal string is neither a tensor nor a module)
        if value.kind == "module":
            if value.params is not False:
                return False
            frozen |= bool(value.qual) and api.nn_module_has_params(value.qual) is True
            # an instance of a class of the project that may hold parameters, frozen whole by its
            # constructor (``constructor_freezes``)
            frozen |= value.cls is not None and value.cls.params is not False
        elif value.kind == "tensor" and value.grad is not False:
            return False
    # last: the one check that walks the whole class
    return frozen and not any(
        type(child) is cst.Call and (dotted(child.func) or "").rsplit(".", 1)[-1] in _REGISTERING
        for root in roots
        for child in walk(root)
    )
