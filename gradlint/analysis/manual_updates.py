"""Hand-written optimizer steps: a tensor updated in place from its own gradient.

``w -= lr * w.grad`` (under ``torch.no_grad()``), ``p.data -= lr * p.grad``,
``p.data.add_(p.grad, alpha=-lr)``, ``w.sub_(lr * w.grad)``, ``p.data = p.data - lr * p.grad``:
the step of gradient descent written out. Like ``optimizer.step()``, it reads ``.grad``, which
``backward()`` adds to rather than replaces: without a clear in the same loop each update applies
the sum of every gradient so far (GRD501).
"""

from typing import Optional

import libcst as cst

from .syntax import dotted, walk

#: in-place methods that write a step into the tensor
_STEP_METHODS = frozenset({"sub_", "add_", "copy_", "addcdiv_", "addcmul_"})
_UPDATE_OPERATORS = (cst.SubtractAssign, cst.AddAssign)
#: text of a loop that may clear gradients in ways the walk does not attribute
CLEARING_TEXT = ("zero_grad", "zero_(", "set_to_none", "grad.detach_", "grad.fill_", "grad.mul_")


def _tensor_of(node) -> Optional[cst.BaseExpression]:
    """``w`` for ``w`` and ``w.data``: the tensor an update writes into."""
    if type(node) is cst.Attribute and node.attr.value == "data":
        node = node.value
    return node if dotted(node) is not None else None


def _reads_gradient_of(expression, path: str) -> bool:
    for node in walk(expression):
        if type(node) is cst.Attribute and node.attr.value == "grad" and dotted(node.value) == path:
            return True
    return False


def updated_tensor(node) -> Optional[cst.BaseExpression]:
    """The tensor that ``node`` (a statement's augmented assignment, assignment target's statement
    or call) updates from its own ``.grad``, else None."""
    if type(node) is cst.AugAssign:
        target, expression = node.target, node.value
        if type(node.operator) not in _UPDATE_OPERATORS:
            return None
    elif type(node) is cst.Assign:
        if len(node.targets) != 1 or type(node.targets[0].target) is not cst.Attribute:
            return None
        target, expression = node.targets[0].target, node.value
        if target.attr.value != "data":
            return None  # `w = w - lr * w.grad` makes a new tensor (GRD303), it updates nothing
    elif type(node) is cst.Call:
        func = node.func
        if type(func) is not cst.Attribute or func.attr.value not in _STEP_METHODS:
            return None
        target, expression = func.value, node
    else:
        return None
    tensor = _tensor_of(target)
    if tensor is None or not _reads_gradient_of(expression, dotted(tensor)):
        return None
    return tensor


def writes_through_data(node) -> bool:
    """Whether the update writes into ``X.data`` (allowed with gradients on)."""
    if type(node) is cst.AugAssign:
        written = node.target
    elif type(node) is cst.Assign:
        written = node.targets[0].target
    else:
        written = node.func.value
    return type(written) is cst.Attribute and written.attr.value == "data"


def given_to(function: cst.FunctionDef, path: str) -> bool:
    """Whether the tensor named ``path`` in ``function`` is one its caller gave it: a parameter
    (or a field of one, ``self.w``), or the target of a loop over something computed from one
    (``for p in params``, ``for p in model.parameters()``)."""
    names = {param.name.value for param in _parameters(function)}
    root = path.split(".", 1)[0]
    if root in names:
        return not _rebound(function, root)
    for node in walk(function.body):
        if type(node) is cst.For and type(node.target) is cst.Name and node.target.value == root:
            used = {n.value for n in walk(node.iter) if type(n) is cst.Name}
            return bool(used & names) and not any(_rebound(function, n) for n in used & names)
    return False


def _parameters(function: cst.FunctionDef) -> list:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _rebound(function: cst.FunctionDef, name: str) -> bool:
    for node in walk(function.body):
        if type(node) in (cst.Assign, cst.AnnAssign, cst.AugAssign):
            targets = [t.target for t in node.targets] if type(node) is cst.Assign else [node.target]
            if any(type(t) is cst.Name and t.value == name for t in targets) and type(node) is not cst.AugAssign:
                return True
    return False


def persists_across(loop, path: str, bound) -> bool:
    """Whether the tensor named ``path`` is the same object in every iteration of ``loop`` (whose
    iterations bind the names ``bound``): a name bound before the loop and never rebound in it,
    or the target of a loop nested in it over what was bound before (``for p in model.parameters()``,
    ``for w in [w1, w2]``)."""
    root = path.split(".", 1)[0]
    if path not in bound and root not in bound:
        return True
    if "." in path:
        return False
    body = getattr(loop, "body", None)
    for node in walk(body) if body is not None else ():
        if type(node) is cst.For and type(node.target) is cst.Name and node.target.value == root:
            names = [n.value for n in walk(node.iter) if type(n) is cst.Name]
            return bool(names) and not any(n in bound for n in names)
    return False
