"""Optimizers handed to a constructor together with the modules they train.

``BiGAN(D, G, d_optim, g_optim)`` with ``d_optim = Adam(D.parameters())`` built by the caller, and
``__init__`` storing ``self.D = discriminator`` and ``self.d_optim = d_optim``: the optimizer's owner
is ``D`` where it was built, a name that means nothing inside the class. Its methods know that module
as ``self.D``: ``self.d_optim.step()`` there writes the parameters of ``self.D`` in place, so a graph
through ``self.D(x)`` built before the step cannot backward after it (GRD205), and ``self.D.zero_grad()``
clears what the optimizer steps. So the owners are renamed, as a function's call renames them to its
parameters (``arguments.owners_in_callee``), to the field ``__init__`` stores the argument into, or to
the parameter itself when it stores it nowhere. An owner the call does not pass keeps its name.
"""

from __future__ import annotations

from typing import Dict

import libcst as cst

from .arguments import call_renames, owners_renamed
from .syntax import function_facts
from .values import Value


def owners_as_fields(params: Dict[str, Value], call: cst.Call, init: cst.FunctionDef) -> Dict[str, Value]:
    """The constructor's arguments, the owners of the optimizers among them named as ``__init__`` keeps them."""
    if not any(value.kind == "optimizer" for value in params.values()):
        return params
    renames = call_renames(call, init, receiver=True)  # (a receiver: `self` takes no argument)
    renames.pop("self", None)  # `models.Trainer(...)` names a module, not the instance
    if not renames:
        return params
    fields = function_facts(init).field_aliases
    inverse = {path: f"self.{fields[param]}" if param in fields else param for param, path in renames.items()}
    return owners_renamed(params, inverse)
