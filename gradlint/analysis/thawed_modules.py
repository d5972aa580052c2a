"""A sub-module unfrozen whole after its model was frozen whole: the transfer-learning recipe
``for p in model.parameters(): p.requires_grad = False``, then ``for p in model.fc.parameters():
p.requires_grad = True``. The model owns trainable parameters again, so its forwards record a graph:
an evaluation of it with gradients enabled keeps activations for nothing (GRD505), as with any model
that trains. Its value was ``params=False`` (frozen whole) and stayed so, as if the head were frozen too.

The sub-module trains when it is known to own parameters: a torch layer that has some (``nn.Linear``,
not ``nn.Identity``), or a module already known to own trainable ones. Otherwise the enclosing modules
are only no longer known to be frozen.
"""

from __future__ import annotations

from . import torch_api as api
from .values import Tri, Value


def unfrozen_params(module: Value) -> Tri:
    """Whether ``module``, every parameter of which was just set to require grad, owns trainable ones."""
    if module.qual and api.is_nn_module_class(module.qual):
        return api.nn_module_has_params(module.qual)
    return True if module.params is True else None


def thaw_enclosing(lookup, env: dict, path: str, params: Tri) -> None:
    """The modules enclosing ``path`` known frozen whole (``params=False``) now hold its parameters:
    trainable ones (``params``), or ones not known any more. A sub-module without parameters unfreezes
    nothing: they stay frozen."""
    if params is False:
        return
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        value = lookup(prefix)
        if value is not None and value.kind == "module" and value.params is False:
            env[prefix] = value.with_(params=True if params else None)
