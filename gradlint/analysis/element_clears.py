"""What ``zero_grad()`` of an optimizer taken from a list clears: ``self.optimizer_t[i].zero_grad()``,
the list built ``[Adam(t.parameters()) for t in self.teachers]`` (a fresh optimizer per teacher), clears
the parameters those optimizers train, not those of an optimizer bound on its own (``self.optimizer_s``
over the student, stepped and never cleared: GRD501). The element has no path, so before, the clear
counted as one of unknown reach, which may have been any optimizer's."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from .syntax import dotted, module_nodes
from .values import Value

_GROWING = ("append", "extend", "insert", "__setitem__")  # what puts another object in the list


def cleared_owners(receiver_node: cst.BaseExpression, optimizer: Value, module: Optional[cst.Module]) -> Tuple:
    """The owner paths ``receiver_node.zero_grad()`` clears (a path None: of unknown reach). An element
    of a list of fresh optimizers clears what the elements are known to train; else, any."""
    path = dotted(receiver_node)
    if path is not None or type(receiver_node) is not cst.Subscript or module is None:
        return (path,)
    container = dotted(receiver_node.value)
    if optimizer.owner is None or optimizer.owners or not _fresh_elements_only(container, module):
        return (None,)
    return (optimizer.owner,)


def _fresh_elements_only(container: Optional[str], module: cst.Module) -> bool:
    """Every binding of ``container`` in the module is a list comprehension making a new object per
    element (``[torch.optim.Adam(c.parameters()) for c in critics]``), and nothing adds to it: none of
    its elements is an optimizer bound elsewhere too."""
    if container is None:
        return False
    nodes = module_nodes(module)
    bindings = [
        node.value
        for node in nodes.of(cst.Assign)
        if any(dotted(target.target) == container for target in node.targets)
    ]
    if not bindings or any(type(value) is not cst.ListComp or type(value.elt) is not cst.Call for value in bindings):
        return False
    if any(dotted(node.target) == container for node in nodes.of(cst.AugAssign) + nodes.of(cst.AnnAssign)):
        return False
    if any(
        type(target.target) is cst.Subscript and dotted(target.target.value) == container
        for node in nodes.of(cst.Assign)
        for target in node.targets
    ):
        return False  # `self.optimizers[0] = self.opt_g`
    return not any(
        type(node.func) is cst.Attribute and node.func.attr.value in _GROWING and dotted(node.func.value) == container
        for node in nodes.of(cst.Call)
    )
