"""What the file's own ``backward()`` calls prove: differentiable output fields and callables.

A model whose class the analysis cannot see (a Hugging Face model, a class from a
file that is not available) returns an output of unknown structure: a tensor, a
tuple, a dict or a ``ModelOutput``. Its fields stay unknown: ``out["aux"]`` may be
non-grad metadata. Use is evidence, though: ``outputs.loss.backward()`` (or
``loss = outputs.loss`` then ``loss.backward()``) raises unless that field requires
grad, so in the same file the ``loss`` field of a model output computed under grad
mode is a grad tensor. The same holds for ``out["loss"]`` and ``out[0]``.

Callables are proven the same way: ``loss = criterion(out, y)`` then ``loss.backward()``
proves that ``criterion``, called on a grad tensor, returns one; in the same file an
unresolved ``criterion`` (a parameter of ``validate(model, loader, criterion)``) is
taken to be that loss function.

Only the receiver's own path is followed (``.mean()``, ``.sum()`` and other
one-operand tensor methods keep the proof; ``a + b`` does not: either operand may be
the one that requires grad). A name's assignments are taken from the same
function (any of them: each must hold a grad tensor for the backward() after it).
"""

from __future__ import annotations

from typing import Dict, Optional, Union

import libcst as cst

from .syntax import dotted, literal_int, literal_str, module_nodes, own_nodes, walk
from .torch_api import is_backward_runner

Field = Union[str, int]

#: one-operand tensor methods whose result requires grad only if their receiver does
_PASS_THROUGH = frozenset(
    {"mean", "sum", "float", "double", "half", "squeeze", "to", "cuda", "contiguous", "view", "reshape", "clone"}
)
#: attributes of a tensor itself, never a field of an output structure
_TENSOR_ATTRIBUTES = frozenset({"data", "grad", "T", "mT", "H", "mH", "real", "imag", "shape", "device", "dtype"})

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_CACHE: Dict[int, tuple] = {}


def proven_fields(module: cst.Module, text: str = "") -> frozenset:
    """Fields (attribute names, string keys, int positions) some ``backward()`` of the file proves."""
    return _proofs(module, text)[0]


def proven_callables(module: cst.Module, text: str = "") -> frozenset:
    """Dotted names of callables whose result some ``backward()`` of the file backpropagates
    (``loss = criterion(out, y)`` then ``loss.backward()``): in this file, called on a grad
    tensor, they return one. A ``criterion`` parameter of ``validate(model, loader, criterion)``
    is, by the file's own convention, the ``criterion`` that ``train()`` backpropagates."""
    return _proofs(module, text)[1]


def graph_returning_callables(module: cst.Module, text: str = "") -> frozenset:
    """``proven_callables``, and the callables a part of whose result (a tuple unpacked into names)
    some ``backward()`` of the file backpropagates: each returns a graph, whole or in a part. Not
    a value of their calls (the other parts may be plain numbers): a question some rules ask."""
    return _proofs(module, text)[2]


def _proofs(module: cst.Module, text: str) -> tuple:
    if text and "backward" not in text:
        return frozenset(), frozenset(), frozenset()
    cached = _CACHE.get(id(module))
    if cached is not None and cached[0] is module:
        return cached[1]
    found: set = set()
    _scan_scope([stmt for stmt in module.body if not isinstance(stmt, _SCOPES)], found)
    for node in module_nodes(module).of(cst.FunctionDef):
        # a function none of whose own calls is a backward() proves nothing: its own calls are listed
        # once (``own_nodes``: the nodes ``_scan_scope`` walks), no need to walk it again
        if any(_backpropagated(call) is not None for call in own_nodes(node).of(cst.Call)):
            _scan_scope([node.body], found)
    fields = frozenset(item for item in found if not isinstance(item, tuple))
    callables = frozenset(item[1] for item in found if isinstance(item, tuple) and item[0] == "call")
    holders = callables | frozenset(item[1] for item in found if isinstance(item, tuple) and item[0] == "unpacked")
    if len(_CACHE) > 1000:
        _CACHE.clear()
    _CACHE[id(module)] = (module, (fields, callables, holders))
    return fields, callables, holders


def _scan_scope(roots, found: set) -> None:
    """One scope (a function body, or the module's own statements): its backward() calls."""
    assignments: Dict[str, list] = {}
    #: name -> the values a tuple assignment unpacked it from (``loss, logits = out``)
    unpacked: Dict[str, list] = {}
    proved_names = []
    proved_sums: list = []
    for root in roots:
        for node in walk(root, prune=_SCOPES):
            if type(node) is cst.Assign and len(node.targets) == 1:
                target = node.targets[0].target
                if type(target) is cst.Name:
                    assignments.setdefault(target.value, []).append(node.value)
                elif type(target) in (cst.Tuple, cst.List):
                    for element in target.elements:
                        if type(element) is cst.Element and type(element.value) is cst.Name:
                            unpacked.setdefault(element.value.value, []).append(node.value)
                continue
            if type(node) is cst.AnnAssign and node.value is not None and type(node.target) is cst.Name:
                # `out: Tuple[Tensor, Tensor] = criterion(x, y, student, teacher)`
                assignments.setdefault(node.target.value, []).append(node.value)
                continue
            if type(node) is not cst.Call:
                continue
            proved = _backpropagated(node)
            if proved is None:
                continue
            proved = _unwrap(proved)
            proof = _proof(proved)
            if proof is not None:
                found.add(proof)
            elif type(proved) is cst.Name:
                proved_names.append(proved.value)
            else:
                proved_sums.append(proved)
    for name in proved_names:
        for value in assignments.get(name, ()):
            proof = _proof(_unwrap(value))
            if proof is None:
                proved_sums.append(value)
            else:
                found.add(proof)
        for value in unpacked.get(name, ()) if name not in assignments else ():
            path = _unpacked_callable(_unwrap(value), assignments)
            if path is not None:
                found.add(("unpacked", path))
    for total in proved_sums:
        proof = _common_callable(total, assignments)
        if proof is not None:
            found.add(proof)


def _unpacked_callable(node: cst.BaseExpression, assignments: Dict[str, list]) -> Optional[str]:
    """The callable whose result ``node`` is (itself, or through a name bound once to it), when a
    part of that result was unpacked and backpropagated (``loss, predict = criterion(x, y, model)``):
    the callable returns a structure holding a graph, though not a grad tensor as a whole."""
    if type(node) is cst.Name:
        values = assignments.get(node.value, ())
        if len(values) != 1:
            return None
        node = _unwrap(values[0])
    return dotted(node.func) if type(node) is cst.Call and node.args else None


def _common_callable(node: cst.BaseExpression, assignments: Dict[str, list]):
    """``("call", path)`` when a backpropagated sum adds up results of one callable only
    (``loss_d = (crit(d(real), True) + crit(d(fake), False)) * 0.5``, also through names
    assigned once from such calls): the sum requires grad, so that callable returns grad
    tensors. Terms of different callables prove nothing about any one of them."""
    terms = _terms(node)
    if len(terms) < 2:
        return None
    paths = set()
    for term in terms:
        term = _unwrap(term)
        if type(term) is cst.Name:
            values = assignments.get(term.value, ())
            if len(values) != 1:
                return None
            term = _unwrap(values[0])
        path = dotted(term.func) if type(term) is cst.Call and term.args else None
        if path is None:
            return None
        paths.add(path)
    return ("call", paths.pop()) if len(paths) == 1 else None


def _terms(node: cst.BaseExpression) -> list:
    """The terms of ``a + b - c``, each without a literal factor or divisor; numbers are left out."""
    if type(node) is cst.BinaryOperation:
        if type(node.operator) in (cst.Add, cst.Subtract):
            return _terms(node.left) + _terms(node.right)
        if type(node.operator) in (cst.Multiply, cst.Divide):
            if type(node.right) in (cst.Integer, cst.Float):
                return _terms(node.left)
            if type(node.left) in (cst.Integer, cst.Float) and type(node.operator) is cst.Multiply:
                return _terms(node.right)
    if type(node) in (cst.Integer, cst.Float):
        return []
    return [node]


def _backpropagated(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The expression a ``backward()`` call backpropagates, if it is one."""
    func = call.func
    if type(func) is not cst.Attribute:
        return None
    if func.attr.value == "manual_backward" and call.args:
        return call.args[0].value
    if func.attr.value != "backward":
        return None
    receiver = func.value
    if is_backward_runner(dotted(receiver)):
        return call.args[0].value if call.args and call.args[0].keyword is None else None
    return receiver


def _unwrap(node: cst.BaseExpression) -> cst.BaseExpression:
    while True:
        if type(node) is not cst.Call or type(node.func) is not cst.Attribute:
            return node
        method = node.func.attr.value
        if method == "scale" and len(node.args) == 1:
            node = node.args[0].value  # scaler.scale(loss)
        elif method in _PASS_THROUGH:
            node = node.func.value
        else:
            return node


def _proof(node: cst.BaseExpression):
    """What a backpropagated expression proves: a field of an output, or ``("call", path)``: a callable's result."""
    field = _field(node)
    if field is not None:
        return field
    if type(node) is cst.Call and node.args:
        path = dotted(node.func)
        if path is not None:
            return ("call", path)
    return None


def _field(node: cst.BaseExpression) -> Optional[Field]:
    """``out.loss``, ``out["loss"]`` or ``out[0]`` where ``out`` may be a model's output.

    ``self.loss`` is an object's own field, not a model output's: no proof for outputs.
    """
    if type(node) is cst.Attribute:
        attr = node.attr.value
        base = node.value
        if attr in _TENSOR_ATTRIBUTES or type(base) is cst.Name and base.value in ("self", "cls"):
            return None
        return attr if type(base) in (cst.Name, cst.Call, cst.Subscript, cst.Attribute) else None
    if type(node) is cst.Subscript and len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
        index = node.slice[0].slice.value
        key = literal_str(index)
        return key if key is not None else literal_int(index)
    return None
