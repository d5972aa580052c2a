"""A function parameter its function uses as a tensor: evidence from use, for a dropped ``x.to(device)``.

``def fit(self, x1, x2): x1.to(self.device)`` throws the moved tensor away (GRD507) only if
``x1`` is a tensor: ``nn.Module.to()`` moves the module in place, and so do the batches of some
libraries (transformers' ``BatchEncoding.to()``, torch_geometric's ``Data.to()`` / ``.cuda()``
apply the move to their fields and return themselves). With nobody in the linted files calling
``fit``, the parameter's kind is unknown at the statement. The function's own use of it can
tell, under three conditions:

1. **One object.** The name is a parameter the body never rebinds (every use reads the object
   the caller passed, the one whose ``.to()`` result was dropped), or a name the scope (a
   function, or the module's own statements) binds at one place only: one assignment, or the
   target of one ``for`` (``for data, target in loader: data.to(device)``, each iteration an
   element of the same iterable).
2. **No question about its type.** The body never tests it (``isinstance(x1, ...)``,
   ``type(x1)``, ``hasattr(x1, ...)``, ``torch.is_tensor(x1)``): code written for one kind of
   argument, not a helper that handles tensors and modules apart.
3. **A use that only a tensor survives.** Somewhere in the body (a loop body, a branch: wherever
   it runs, the argument is a tensor there, and with 1. and 2. it is the same argument):
   - a method that ``torch.Tensor`` has and ``nn.Module``, ``BatchEncoding`` and torch_geometric's
     ``Data`` have not (``TENSOR_USE_EVIDENCE``: ``x1.view(...)``, ``x1.unsqueeze(1)``,
     ``x1.numel()``, ``x1.item()``...). Not ``size`` (``Data.size()``), ``contiguous``, ``clone``,
     ``detach``, ``cpu`` (``Data`` has them), ``float``/``half``/``type`` (``nn.Module`` has them),
     nor ``sum``/``max``... which objects of other libraries commonly have;
   - reading ``x1.shape`` (``batch_size = images.shape[0]``): no module, ``BatchEncoding`` or
     ``Data`` has that attribute (``Data`` and ``BatchEncoding`` raise on a missing field);
   - indexing with two or more indices, ``x1[idx, :]`` or ``x1[:, 0]``: a module, a
     ``BatchEncoding`` (string keys, an int, a slice) and ``Data`` (string keys) all raise on a
     tuple index; an ndarray accepts it but has no ``.to()``, so the dropped call itself rules it out;
   - being passed to a function of this file (``self.test(x1)``, ``helper(x1)``) whose
     corresponding parameter that function uses as a tensor by these same rules (two calls deep);
   - being an argument of a torch loss (``criterion(outputs, labels)`` with ``criterion =
     nn.CrossEntropyLoss()``, ``F.mse_loss(pred, y)``): torch's losses take tensors only (the
     caller's ``consumes`` says which calls of its scope are such losses).

Reading ``x1.size(0)`` alone, or passing ``x1`` to a model, proves nothing: the statement stays silent.

The argument rules out the objects that have the *dropped* method too, so it holds only for the
moves and conversions modules, batches and graphs share with tensors (``DROPPED_MOVES``: ``to``,
``cuda``, ``float``, ``detach``...). A dropped ``g.view()`` or ``model.reshape(shape)`` may be a
graphviz graph shown, an OpenVINO model reshaped in place, a sampler's ``unit.expand(...)``: no
evidence is sought for those, and the dropped statement itself is never its own evidence.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .arguments import parameters
from .syntax import dotted, function_facts, walk

#: methods of ``torch.Tensor`` that ``nn.Module``, ``transformers.BatchEncoding`` and
#: ``torch_geometric.data.Data`` do not have (see the module doc)
TENSOR_USE_EVIDENCE = frozenset(
    "view view_as unsqueeze squeeze permute transpose reshape reshape_as expand expand_as masked_fill "
    "narrow index_select numel dim item numpy tolist unflatten type_as".split()
)

#: dropped methods whose non-tensor owners (``nn.Module``, ``BatchEncoding``, ``Data``) the evidence rules out
DROPPED_MOVES = frozenset(
    "to cuda cpu float double half bfloat16 long int short bool byte char detach clone contiguous type".split()
)

_TYPE_TESTS = frozenset({"isinstance", "type", "hasattr", "getattr", "callable", "is_tensor", "is_floating_point"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_DEPTH = 2


def used_as_tensor(
    scope, name: str, module: Optional[cst.Module], consumes=None, depth: int = _DEPTH, apart=None
) -> bool:
    """Whether ``scope`` (a function, or the module) uses its parameter or once-bound name ``name``
    as a tensor (see the module doc), in a node outside ``apart`` (the dropped statement)."""
    body = scope.body if type(scope) is cst.FunctionDef else scope
    if type(scope) is cst.FunctionDef and name in {param.name.value for param in parameters(scope)}:
        if name in function_facts(scope).rebound:
            return False
    elif _bindings(body, name) != 1:
        return False
    excluded = {id(node) for node in walk(apart)} if apart is not None else ()
    nodes = [
        node
        for node in walk(body, _SCOPES)
        if type(node) in (cst.Call, cst.Subscript, cst.Attribute) and id(node) not in excluded
    ]
    if any(_tests_type(node, name) for node in nodes if type(node) is cst.Call):
        return False
    for node in nodes:
        if type(node) is cst.Attribute:
            if node.attr.value == "shape" and _is_name(node.value, name):
                return True
            continue
        if type(node) is cst.Subscript:
            if _is_name(node.value, name) and len(node.slice) >= 2:
                return True
            continue
        func = node.func
        if type(func) is cst.Attribute and _is_name(func.value, name) and func.attr.value in TENSOR_USE_EVIDENCE:
            return True
        passed = any(not arg.star and _is_name(arg.value, name) for arg in node.args)
        if passed and consumes is not None and consumes(node):
            return True
        if passed and depth > 0 and module is not None and _passed_to_tensor_use(node, name, scope, module, depth):
            return True
    return False


def _is_name(node, name: str) -> bool:
    return type(node) is cst.Name and node.value == name


def _tests_type(call: cst.Call, name: str) -> bool:
    path = dotted(call.func)
    if path is None or path.rsplit(".", 1)[-1] not in _TYPE_TESTS:
        return False
    return any(_is_name(arg.value, name) for arg in call.args)


def _passed_to_tensor_use(call: cst.Call, name: str, function, module: cst.Module, depth: int) -> bool:
    """``self.test(x1)`` / ``helper(x1)`` with the callee, a function of this file, using its
    parameter as a tensor."""
    for position, arg in enumerate(call.args):
        if arg.star or not _is_name(arg.value, name):
            continue
        callee, bound_self = _callee(call.func, function, module)
        if callee is None:
            return False
        params = parameters(callee)[1:] if bound_self else parameters(callee)
        if arg.keyword is not None:
            target = arg.keyword.value
        elif any(a.keyword is not None or a.star for a in call.args[:position]) or position >= len(params):
            return False
        else:
            target = params[position].name.value
        if target in {p.name.value for p in params} and used_as_tensor(callee, target, module, None, depth - 1):
            return True
    return False


def _callee(func, function, module: cst.Module):
    """The function of this module a call names: ``helper`` (a module-level ``def``) or
    ``self.method`` (a ``def`` of the class the calling method is in), with whether it binds ``self``."""
    if type(func) is cst.Name:
        return _defined(module.body, func.value), False
    if type(func) is cst.Attribute and _is_name(func.value, "self"):
        for statement in module.body:
            if type(statement) is cst.ClassDef and any(node is function for node in statement.body.body):
                method = _defined(statement.body.body, func.attr.value)
                static = method is not None and any(
                    dotted(d.decorator) in ("staticmethod", "classmethod") for d in method.decorators
                )
                return (None, False) if static else (method, True)
    return None, False


def _defined(statements, name: str) -> Optional[cst.FunctionDef]:
    found = [s for s in statements if type(s) is cst.FunctionDef and s.name.value == name]
    return found[0] if len(found) == 1 else None


_BINDERS = (
    cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AsName, cst.Del, cst.Global, cst.Nonlocal
)


def _bindings(body, name: str) -> int:
    """How many places of the scope's own statements bind ``name`` (an augmented assignment, a
    ``del``, a ``global`` count as two: the name may then hold something else)."""
    count = 0
    for node in walk(body, _SCOPES):
        node_type = type(node)
        if node_type not in _BINDERS:
            continue
        if node_type in (cst.Global, cst.Nonlocal, cst.AugAssign, cst.Del):
            targets = [n.name for n in node.names] if node_type in (cst.Global, cst.Nonlocal) else [node.target]
            if any(_is_name(t, name) for target in targets for t in walk(target)):
                return 2
            continue
        if node_type is cst.Assign:
            targets = [target.target for target in node.targets]
        elif node_type is cst.AsName:
            targets = [node.name]
        else:
            targets = [node.target]
        count += sum(1 for target in targets for t in walk(target) if _is_name(t, name) and _binds(target, t))
    return count


def _binds(target, node) -> bool:
    """``node`` (a Name inside ``target``) is bound by it: the target itself, or an element of a tuple
    or list target, not a name read inside a subscript or attribute target (``d[name] = v``)."""
    stack = [target]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        if type(current) in (cst.Tuple, cst.List):
            stack.extend(element.value for element in current.elements)
        elif type(current) is cst.StarredElement:
            stack.append(current.value)
    return False
