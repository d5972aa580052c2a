"""Which modules' parameters an optimizer trains, when it is given more than one module's whole set.

An optimizer takes an iterable of parameters or a list of *parameter groups*, dicts whose
``"params"`` entry is such an iterable (``SGD([{"params": base}, {"params": net.fc.parameters(),
"lr": 0.1}])``). What its ``step()`` writes is the union of the groups' parameters, and two
different facts about it serve the rules:

- **whole sets**: every group holds the whole parameter set of known modules
  (``m.parameters()``, or its trainable ones, ``filter(lambda p: p.requires_grad, ...)``): the
  step writes every trainable parameter of each of them, as an optimizer over
  ``itertools.chain(...)`` of them does (``param_owners.params_union``). Graphs that saved any of
  them go stale (GRD205), and each module is one the optimizer trains.
- **selections within known modules**: some group holds a chosen subset of a module's
  parameters (``filter(lambda p: id(p) not in head, net.parameters())``, ``[p for n, p in
  model.named_parameters() if "bias" not in n]``, the usual weight-decay split). Which
  parameters the step writes is not known, so no graph is known to go stale; but every
  parameter it trains lies within those modules, and a non-empty choice of a module's
  parameters is made to train that module: a training loop stepping it trains them (GRD510's
  question; GRD505's "a module no optimizer covers"). The optimizer keeps
  ``qual == SELECTED_PARAMETERS`` (no stale marking, see ``TrainingEffects._record_step``) with
  ``owners`` naming the modules.

Any group whose parameters come from no known module (``[log_alpha]``, a list built elsewhere)
leaves the optimizer's parameters unknown, as before.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from . import torch_api as api
from .param_owners import params_union
from .values import Value, dict_item

_GROUP_KEY = "params"


def owner_paths(params: Value) -> frozenset:
    """The module paths a "params" value (or a selection of one) holds parameters of."""
    if params.owners:
        return params.owners
    return frozenset({params.owner}) if params.owner else frozenset()


def selection_of(params: Value, chosen: Value) -> Value:
    """``chosen``, some of the parameters ``params`` iterates (a filter or comprehension with its
    own test), marked with the modules they lie in when those are known."""
    if params.kind != "params" or not owner_paths(params) or chosen.kind != "seq":
        return chosen
    return chosen.with_(owners=owner_paths(params), qual=api.SELECTED_PARAMETERS)


def yields_the_parameter(node, named: bool) -> bool:
    """``[p for p in X.parameters()]`` / ``(p for n, p in X.named_parameters())`` with one ``for``:
    each element is one of ``X``'s parameters (with or without a test choosing which)."""
    if type(node) not in (cst.ListComp, cst.GeneratorExp) or node.for_in.inner_for_in is not None:
        return False
    target = node.for_in.target
    if named:
        if type(target) is not cst.Tuple or len(target.elements) != 2:
            return False
        target = target.elements[1].value
    return type(target) is cst.Name and type(node.elt) is cst.Name and node.elt.value == target.value


def is_selection(value: Value) -> bool:
    return value.kind == "seq" and value.qual == api.SELECTED_PARAMETERS and bool(value.owners)


def is_group(value: Value) -> bool:
    """A parameter-group dict: literal keys, one of them ``"params"``."""
    return value.kind == "dict" and _GROUP_KEY in value.keys


def group_list(values) -> bool:
    """A list display (or a list appended to) whose every element is a parameter group."""
    return bool(values) and all(is_group(value) for value in values)


def positional_list(values) -> bool:
    """A list display whose positions matter as a tuple's do: parameter groups for an optimizer,
    or optimizers (``return [opt_g, opt_d], [sched]`` from a LightningModule's configure_optimizers)."""
    return group_list(values) or bool(values) and all(value.kind == "optimizer" for value in values)


def trained_parameters(argument: Optional[Value]) -> Optional[Value]:
    """What an optimizer built over ``argument`` trains, as a "params" value: whole sets (``qual``
    empty, ``owner`` / ``owners``) or selections (``qual == SELECTED_PARAMETERS``, ``owners``).
    None when some of its parameters come from no known module."""
    if argument is None:
        return None
    if argument.kind == "params":
        return argument if owner_paths(argument) else None
    if is_selection(argument):
        return Value(kind="params", owners=argument.owners, qual=api.SELECTED_PARAMETERS)
    if argument.kind != "seq" or not group_list(argument.items):
        return None
    parts = [trained_parameters(dict_item(group, _GROUP_KEY)) for group in argument.items]
    if any(part is None for part in parts):
        return None
    if all(part.qual != api.SELECTED_PARAMETERS for part in parts):
        union = params_union(parts)
        return union if owner_paths(union) else None
    owners = frozenset().union(*(owner_paths(part) for part in parts))
    return Value(kind="params", owners=owners, qual=api.SELECTED_PARAMETERS)


def optimizer_over(trained: Value) -> Value:
    """The optimizer value for ``trained_parameters``' answer."""
    if trained.qual == api.SELECTED_PARAMETERS:
        return Value(kind="optimizer", owners=trained.owners, qual=api.SELECTED_PARAMETERS)
    return Value(kind="optimizer", owner=trained.owner, owners=trained.owners)


def optimizer_base(cls) -> Optional[str]:
    """The torch optimizer class a class of the file derives from directly when it keeps that class's
    constructor and its ``step``/``zero_grad`` (none of them its own): ``class AnalogSGD(torch.optim.SGD)``.
    None otherwise."""
    if any(m in cls.methods for m in ("__init__", "step", "zero_grad")) or cls.is_module or len(cls.bases) != 1:
        return None
    base = cls.bases[0]
    if base.kind == "ref" and base.qual and api.is_optimizer_class(base.qual):
        return base.qual
    return None
