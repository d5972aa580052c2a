"""A model in eval mode before a training loop only because the loop's validation helper ran first.

``loss_record = [valid(valid_loader, model)]`` then ``for step in ...: valid(valid_loader, model);
...; model(x); loss.backward()`` (an initial validation, LHY homework's TrainFunction.py): ``valid``
calls ``model.eval()`` and nothing calls ``model.train()``, so the whole training runs in eval mode.
GRD510 leaves alone a model the training forward always sees in eval mode, as a model kept so on
purpose (a frozen batch-norm, a teacher) is; such a model is switched by a statement of its own
(``model.eval()``, ``model.train(False)``), not by the evaluation function the loop itself calls.
Asked by GRD510.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def validated_before_loop(loop: cst.CSTNode, site: cst.Call, forward: cst.Call, path: str, scope, module=None) -> bool:
    """The scope never switches ``path`` to eval mode by a statement of its own, and calls ``site``'s
    function before the training ``forward`` runs: before ``loop`` (outside it), or earlier in the
    loop's body (``for step ...: valid(model); ...; model(x)``)."""
    callee = dotted(site.func) if type(site) is cst.Call else None
    if not callee or scope is None:
        return False
    body = scope.body if type(scope) is cst.FunctionDef else scope
    earlier = False
    helpers = _module_functions(site, module if module is not None else scope)
    for node, before in _calls_around(body, loop):
        name = dotted(node.func)
        if name == f"{path}.eval" or name == f"{path}.train" and _false_argument(node):
            return False  # a switch of its own: eval mode is chosen here
        if name == callee and before and _same_model_argument(node, site, path, helpers):
            earlier = True
    return earlier or _precedes(loop, site, forward)


def _same_model_argument(earlier: cst.Call, site: cst.Call, path: str, helpers: dict) -> bool:
    """``earlier`` hands the helper the model ``site`` hands it as ``path``, as the same parameter
    (by position or keyword, matched through the helper's own parameters when it is a function of
    the file): a distillation script's ``test(t_net)`` before the loop validates the teacher, and
    says nothing of the student that ``test(s_net)`` in the loop switches to eval mode."""
    names = _parameters(helpers.get(dotted(site.func) or ""))
    for index, arg in enumerate(site.args):
        if dotted(arg.value) != path:
            continue
        parameter = _bound_parameter(site, index, names)
        if parameter is None:
            return False
        given = [a for i, a in enumerate(earlier.args) if _bound_parameter(earlier, i, names) == parameter]
        if not given or dotted(given[0].value) != path:
            return False
    return True


def _parameters(function) -> list:
    if type(function) is not cst.FunctionDef:
        return []
    return [param.name.value for param in (*function.params.posonly_params, *function.params.params)]


def _bound_parameter(call: cst.Call, index: int, names: list):
    """What the argument at ``index`` of ``call`` is bound to: its keyword, or the name (else the
    place) of the parameter at its position; None after a starred argument."""
    arg = call.args[index]
    if arg.keyword is not None:
        return arg.keyword.value
    if any(a.star for a in call.args[: index + 1]):
        return None
    return names[index] if index < len(names) else index


def _module_functions(site: cst.Call, module) -> dict:
    """The module's function that ``site`` calls by its plain name, by name (a method's arguments
    are matched by position or keyword alone)."""
    if type(module) is not cst.Module or type(site.func) is not cst.Name:
        return {}
    found = [n for n in module.body if type(n) is cst.FunctionDef and n.name.value == site.func.value]
    return {site.func.value: found[0]} if len(found) == 1 else {}


def _false_argument(call: cst.Call) -> bool:
    return bool(call.args) and type(call.args[0].value) is cst.Name and call.args[0].value.value == "False"


def _precedes(loop, first: cst.CSTNode, then: cst.CSTNode) -> bool:
    """``first`` comes before ``then`` in the loop's body, in source order (a forward the loop runs
    inside a function it calls is not in the body: its order is not known here)."""
    seen_first = False
    stack = [loop.body]
    while stack:
        node = stack.pop()
        if node is first:
            seen_first = True
        elif node is then:
            return seen_first
        stack.extend(reversed(node.children))
    return False


def _calls_around(body, loop) -> list:
    """The calls of ``body`` outside ``loop`` (and outside nested scopes), in source order, each with
    whether it comes before the loop."""
    found = []
    before = True
    stack = [body]
    while stack:
        node = stack.pop()
        if node is loop:
            before = False
            continue
        if type(node) in _SCOPES:
            continue
        if type(node) is cst.Call:
            found.append((node, before))
        stack.extend(reversed(node.children))
    return found
