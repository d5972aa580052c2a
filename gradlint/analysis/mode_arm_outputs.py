"""Forwards that dispatch on a mode string and compute the chosen mode's output under no_grad.

SPADE's (and pix2pixHD-style) ``Pix2PixModel.forward(self, data, mode)``: ``if mode == 'generator':
... elif mode == 'inference': with torch.no_grad(): fake_image, _ = self.generate_fake(...);
return fake_image``. Called as ``model(data_i, mode='inference')`` after ``model.eval()``, the call
builds no graph. When the generator comes from a factory of another file (``networks.define_G(opt)``)
the walk cannot give ``fake_image`` a value (it stays unknown, not "requires no grad"), so the call
looked like a forward recording a graph. Read from the source: the arm the call's string literal
chooses ends in a ``return`` of names bound only inside ``with torch.no_grad():`` (or
``inference_mode()``) blocks of that arm, and no earlier statement of the forward returns.

Likewise a forward that only hands over to a method of its class decorated with
``@torch.no_grad()`` (a detector's ``return self.inference(images, ...)``, the lxmert FRCNN's):
every call of it returns what no graph was recorded for (``returns_only_no_grad_methods``).
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .arguments import parameters
from .syntax import dotted, literal_str, per_node, walk

_NO_GRAD = ("no_grad", "inference_mode")
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
#: a chain whose test is not about the call's literals: nothing is known
_UNDECIDED = object()


def output_made_without_grad(forward: cst.FunctionDef, call: cst.Call) -> bool:
    literals = _literal_arguments(forward, call)
    if not literals or not isinstance(forward.body, cst.IndentedBlock):
        return False
    for statement in forward.body.body:
        if type(statement) is cst.If:
            arm = _chosen_arm(statement, literals)
            if arm is _UNDECIDED:
                if _returns_in(statement):
                    return False
                continue
            if arm is not None:
                return _returns_only_no_grad_names(arm)
            continue
        if _returns_in(statement):
            return False
    return False


def _literal_arguments(forward: cst.FunctionDef, call: cst.Call) -> Dict[str, str]:
    """Parameter name -> the string literal the call passes for it (``self`` skipped)."""
    params = [p.name.value for p in parameters(forward)][1:]
    found = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return {}
        value = literal_str(arg.value)
        if arg.keyword is not None:
            name = arg.keyword.value
        elif index < len(params):
            name = params[index]
        else:
            return {}
        if value is not None:
            found[name] = value
    return found


def _equality(test, literals: Dict[str, str]) -> Optional[bool]:
    """``mode == 'inference'`` (either side) with ``mode`` given a literal: whether it holds."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if type(target.operator) not in (cst.Equal, cst.NotEqual):
        return None
    left, right = test.left, target.comparator
    if type(right) is cst.Name:
        left, right = right, left
    if type(left) is not cst.Name or left.value not in literals or literal_str(right) is None:
        return None
    same = literals[left.value] == literal_str(right)
    return same if type(target.operator) is cst.Equal else not same


def _chosen_arm(statement: cst.If, literals: Dict[str, str]):
    """The statements of the arm the literals choose, None when no arm runs, ``_UNDECIDED`` otherwise."""
    current = statement
    while True:
        holds = _equality(current.test, literals)
        if holds is None:
            return _UNDECIDED
        if holds:
            return current.body.body if isinstance(current.body, cst.IndentedBlock) else _UNDECIDED
        orelse = current.orelse
        if orelse is None:
            return None
        if type(orelse) is cst.If:
            current = orelse
            continue
        return orelse.body.body if isinstance(orelse.body, cst.IndentedBlock) else _UNDECIDED


def _returns_in(node) -> bool:
    return any(type(inner) is cst.Return for inner in walk(node, prune=_NESTED))


def _disables_grad(with_node: cst.With) -> bool:
    return all(
        type(item.item) is cst.Call and (dotted(item.item.func) or "").rsplit(".", 1)[-1] in _NO_GRAD
        for item in with_node.items
    )


def _returns_only_no_grad_names(arm) -> bool:
    """The arm ends in ``return`` and every return gives names bound in the arm only under no_grad."""
    last = arm[-1] if arm else None
    if not (isinstance(last, cst.SimpleStatementLine) and any(type(s) is cst.Return for s in last.body)):
        return False
    inside, outside = set(), set()
    returned = []
    for statement in arm:
        if any(type(inner) is cst.Call and "enable_grad" in (dotted(inner.func) or "") for inner in walk(statement)):
            return False
        bindings = _bound_names(statement)
        if type(statement) is cst.With and _disables_grad(statement):
            inside |= bindings
        else:
            outside |= bindings
        for inner in walk(statement, prune=_NESTED):
            if type(inner) is cst.Return:
                returned.append(inner.value)
    for value in returned:
        names = value.elements if type(value) is cst.Tuple else [value]
        for element in names:
            node = getattr(element, "value", element) if type(value) is cst.Tuple else element
            if type(node) is not cst.Name or node.value not in inside or node.value in outside:
                return False
    return bool(returned)


def _bound_names(statement) -> set:
    names = set()
    for inner in walk(statement, prune=_NESTED):
        targets = ()
        if type(inner) is cst.Assign:
            targets = [t.target for t in inner.targets]
        elif type(inner) in (cst.AugAssign, cst.AnnAssign):
            targets = [inner.target]
        elif type(inner) in (cst.For, cst.NamedExpr):
            targets = [inner.target]
        for target in targets:
            for node in walk(target):
                if type(node) is cst.Name:
                    names.add(node.value)
    return names


def returns_only_no_grad_methods(forward: cst.FunctionDef, cls) -> bool:
    """Every ``return`` of ``forward`` (at least one, none bare) returns ``self.<method>(...)`` of a
    method of ``cls`` decorated with ``@torch.no_grad()`` or ``@torch.inference_mode()``."""
    if cls is None:
        return False
    names = _returned_self_calls(forward)
    if not names:
        return False
    methods = [cls.methods.get(name) for name in names]
    return all(m is not None and any(_no_grad_decorator(d.decorator) for d in m.decorators) for m in methods)


@per_node
def _returned_self_calls(forward: cst.FunctionDef) -> frozenset:
    """The names ``m`` of ``return self.m(...)``, when every ``return`` of ``forward`` is one (memoised:
    asked at each call of the module); empty otherwise."""
    if not isinstance(forward.body, cst.IndentedBlock):
        return frozenset()
    names = set()
    for node in walk(forward.body, _NESTED):
        if type(node) is cst.Return:
            call = node.value
            if type(call) is not cst.Call or type(call.func) is not cst.Attribute or dotted(call.func.value) != "self":
                return frozenset()
            names.add(call.func.attr.value)
    return frozenset(names)


def _no_grad_decorator(decorator) -> bool:
    name = dotted(decorator.func if type(decorator) is cst.Call else decorator) or ""
    return name.rsplit(".", 1)[-1] in _NO_GRAD
