"""``if model.training:`` on a module whose mode the walk knows here.

A helper shared by both phases guards its update with the mode of the model it is handed
(Inside Deep Learning's ``run_epoch``: ``if model.training: loss.backward(); optimizer.step()``),
and its evaluation call comes right after ``model.eval()``, under ``torch.no_grad()``. Walked for
that call, only the arm the model's mode chooses runs: the guarded backward is not one of a loss
computed without a graph. Only a plain name (a parameter or local bound to the module): ``self.training``
is read inside the module's own methods, whose mode the walk of a forward tracks differently.
"""

from __future__ import annotations

import libcst as cst

from .values import Tri


def module_mode_truth(walker, test) -> Tri:
    """True/False when ``test`` is ``name.training`` and the walk's value of ``name`` here is a
    module whose mode it knows (after ``name.eval()`` / ``name.train()`` on every path); None otherwise."""
    if type(test) is not cst.Attribute or test.attr.value != "training":
        return None
    owner = test.value
    if type(owner) is not cst.Name or owner.value == "self":
        return None
    value = walker.state.env.get(owner.value)
    if value is None or value.kind != "module":
        return None
    return value.training
