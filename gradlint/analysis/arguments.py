"""Binding a call's arguments to a project function's parameters, and naming back.

The callee's names are not the caller's: ``call_renames`` maps a parameter to the
path its argument had at the call (``self`` to the receiver's) so that a callee's
effects (a container it appended to, a model it froze) land on the caller's values.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .syntax import dotted, function_facts, own_nodes, per_node, walk
from .number_tests import literal_number, plain_number
from .submodule_saves import module_paths_renamed
from .values import FALSE, NONE, TRUE, UNKNOWN, Value, join_all, literal_string, seq
from .value_paths import renamed_owners


def parameters(node: cst.FunctionDef) -> List[cst.Param]:
    params = node.params
    return list(params.posonly_params) + list(params.params) + list(params.kwonly_params)


def is_static(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
        for d in node.decorators
    )


def is_classmethod(node: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod" for d in node.decorators)


def binds_first(function: cst.FunctionDef, receiver) -> bool:
    """Whether a call's arguments start at the function's second parameter: a method called on an
    object (``self``), and a class method however it is called (``cls``, on the class or an object)."""
    return is_classmethod(function) or (receiver is not None and not is_static(function))


def bind_arguments(node: cst.FunctionDef, call: cst.Call, args, bound_self: bool) -> Optional[Dict[str, Value]]:
    """Parameter name -> argument value, or None when the binding cannot be known.

    ``*args`` / ``**kwargs`` on either side leave the parameters they would fill
    unknown; a parameter left without argument takes its default's value when that is
    a literal.
    """
    params = parameters(node)
    if bound_self:
        params = params[1:]
    values: Dict[str, Value] = {}
    positional = [p for p in params if p not in node.params.kwonly_params]
    index = 0
    #: after `*args` the positions are lost; `**kwargs` may fill any parameter not named
    spread = positions_lost = False
    #: what the function's own `*args` collects, once every positional parameter is filled:
    #: arguments, or the elements of a sequence spread into it (`plot(*maps)` into `def plot(*arrays)`)
    collected, star = [], node.params.star_arg
    for arg, (_, value) in zip(call.args, args):
        if arg.star == "*" and not positions_lost and index >= len(positional) and isinstance(star, cst.Param):
            collected.append(value if value.kind == "seq" else Value(kind="seq", has_grad=None))
            continue
        if arg.star:
            spread = True
            positions_lost = positions_lost or arg.star == "*"
            continue
        if positions_lost and arg.keyword is None:
            continue
        if arg.keyword is not None:
            values[arg.keyword.value] = value
            continue
        if index >= len(positional):
            if not isinstance(star, cst.Param):
                return None  # more arguments than parameters: not this function
            collected.append(seq([value]))
            index += 1
            continue
        values[positional[index].name.value] = value
        index += 1
    result: Dict[str, Value] = {}
    for param in params:
        name = param.name.value
        if name in values:
            result[name] = plain_number(node, name, values[name])
        else:
            result[name] = UNKNOWN if spread else literal_value(param.default)
    for extra in (node.params.star_arg, node.params.star_kwarg):
        if isinstance(extra, cst.Param):
            result[extra.name.value] = UNKNOWN
    if collected and not positions_lost:
        result[star.name.value] = _gathered(collected)
    return result


def _gathered(sequences) -> Value:
    """The tuple ``*args`` holds, from the sequences gathered into it (one per argument or spread)."""
    elements = [s.elem for s in sequences if s.elem is not None]
    known = all(s.elem is not None or s.has_grad is False for s in sequences)
    has_grad = True if any(s.has_grad for s in sequences) else (False if known and all(s.has_grad is False for s in sequences) else None)
    return Value(kind="seq", elem=join_all(elements) if elements and known else None, has_grad=has_grad)


@per_node  # asked at every construction of the class
def stores_literal_defaults(init: cst.FunctionDef) -> bool:
    """``__init__`` stores a parameter whose default is a literal in a field (``self.margin = margin``
    with ``margin=1.0``): an instance built without arguments holds that value."""
    literal = {
        param.name.value
        for param in parameters(init)[1:]
        if param.default is not None and literal_value(param.default).kind != "unknown"
    }
    if not literal:
        return False
    for node in walk(init.body):
        if type(node) is cst.Assign and type(node.value) is cst.Name and node.value.value in literal:
            if any(type(t.target) is cst.Attribute and dotted(t.target.value) == "self" for t in node.targets):
                return True
    return False


def literal_value(node) -> Value:
    if isinstance(node, (cst.Integer, cst.Float)):
        return literal_number(node)
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return TRUE if node.value == "True" else FALSE
    if isinstance(node, cst.Name) and node.value == "None":
        return NONE
    if isinstance(node, cst.SimpleString):
        return literal_string(node)  # ``def main(finetune="ep049.pth")``: no None (``branch_tests.none_test``)
    return UNKNOWN


def call_renames(call: cst.Call, function: cst.FunctionDef, receiver) -> Dict[str, str]:
    """Callee names -> caller paths: a parameter is its argument's path, ``self`` the receiver's."""
    renames = {}
    for arg, param in zip(call.args, parameters(function)[1 if receiver is not None else 0 :]):
        if arg.star:
            break  # the positions after `*args` are not known
        path = dotted(arg.value)
        if path is not None and arg.keyword is None and not arg.star:
            renames[param.name.value] = path
    # a keyword argument names its parameter (`fit(model, opt, losses=history)`)
    by_keyword = {param.name.value for param in list(function.params.params) + list(function.params.kwonly_params)}
    for arg in call.args:
        path = dotted(arg.value) if arg.keyword is not None and not arg.star else None
        if path is not None and arg.keyword.value in by_keyword:
            renames[arg.keyword.value] = path
    if receiver is not None and isinstance(call.func, cst.Attribute):
        path = dotted(call.func.value)
        if path is not None:
            renames["self"] = path
    return renames


def owners_in_callee(params: Dict[str, Value], call: cst.Call, function: cst.FunctionDef, receiver) -> Dict[str, Value]:
    """The arguments with the paths they name spelt as the callee names them.

    ``train(net, loader, SGD(net.parameters()))`` into ``def train(model, loader, optimizer)``:
    the optimizer's owner is ``net`` at the call, ``model`` inside, where ``model.zero_grad()``
    clears it. So are the modules a tensor went through (``model.backward(gen_loss)`` after
    ``gen_loss`` went through ``model.discriminator``: ``self.discriminator`` in the method, whose
    ``self.dis_optimizer`` steps it). A path the call does not pass keeps its name (it names
    nothing of the callee)."""
    inverse = {path: param for param, path in call_renames(call, function, receiver).items()}
    if not inverse or not any(value.kind in ("optimizer", "tensor", "seq", "dict") for value in params.values()):
        return params
    return owners_renamed(params, inverse)


def owners_renamed(params: Dict[str, Value], inverse: Dict[str, str]) -> Dict[str, Value]:
    """``params`` with the owners of the optimizers among them, and the modules their tensors went
    through, renamed by ``inverse`` (a path at the call -> the callee's name for it), the longest
    matching path first; other paths keep their names."""
    order = sorted(inverse, key=len, reverse=True)

    def rename(path):
        if path is None:
            return None
        for outside in order:
            if path == outside or path.startswith(outside + "."):
                return inverse[outside] + path[len(outside) :]
        return path

    return {name: module_paths_renamed(renamed_owners(value, rename), rename) for name, value in params.items()}


def rename_path(renames: Dict[str, str], path: Optional[str]) -> Optional[str]:
    if path is None:
        return None
    head, dot, rest = path.partition(".")
    return renames[head] + dot + rest if head in renames else path


def returned_arguments(call: cst.Call, function: cst.FunctionDef) -> Dict[Optional[int], str]:
    """Caller paths that the call gives back unchanged, by the position of the returned tuple
    (None: the whole result). ``def train(model, ...): ...; return model, optimizer, loss``
    returns its argument itself when every ``return`` names the same parameter there and the
    body never rebinds it: ``model, optimizer, loss = train(model, ...)`` keeps the same object."""
    renames = call_renames(call, function, None)
    found: Dict[Optional[int], str] = {}
    returns = own_nodes(function).of(cst.Return)
    if not returns or any(node.value is None for node in returns):
        return found
    rebound = function_facts(function).rebound
    shapes = []
    for node in returns:
        value = node.value
        elements = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else None
        shapes.append({None: value} if elements is None else dict(enumerate(elements)))
    for position, first in shapes[0].items():
        if not isinstance(first, cst.Name) or first.value in rebound or first.value not in renames:
            continue
        if all(isinstance(shape.get(position), cst.Name) and shape[position].value == first.value for shape in shapes):
            found[position] = renames[first.value]
    return found


def iterated_arguments(call: cst.Call, function: cst.FunctionDef, receiver, name: str, value_of) -> List[str]:
    """The caller paths that ``name``, a loop variable of the callee running over one of its
    parameters, stands for: ``for net in nets:`` given ``[self.netD_A, self.netD_B]`` is each
    element; given one module, it is that module when the callee first wraps it
    (``if not isinstance(nets, list): nets = [nets]``, the CycleGAN ``set_requires_grad``).
    ``value_of`` gives the caller's value of an argument. Anything else: nothing is known."""
    bound = binds_first(function, receiver)
    params = parameters(function)[1 if bound else 0 :]
    names = {param.name.value for param in params}
    nodes = own_nodes(function)
    iterated = {
        loop.iter.value
        for loop in nodes.of(cst.For)
        if type(loop.target) is cst.Name and loop.target.value == name and type(loop.iter) is cst.Name
    }
    star = function.params.star_arg
    if isinstance(star, cst.Param) and iterated == {star.name.value}:
        return _star_arguments(call, function, len(params) - len(function.params.kwonly_params), value_of)
    if len(iterated) != 1 or not iterated <= names:
        return []
    (param,) = iterated
    argument = _argument_node(call, params, param)
    if type(argument) in (cst.List, cst.Tuple):
        return [path for path in (dotted(element.value) for element in argument.elements) if path is not None]
    path = dotted(argument) if argument is not None else None
    if path is None or value_of(argument).kind != "module":
        return []
    stores = [node for node in nodes.of(cst.Assign) if any(dotted(t.target) == param for t in node.targets)]
    if stores and all(_wraps(node.value, param) for node in stores):
        return [path]
    return []


def _star_arguments(call: cst.Call, function: cst.FunctionDef, positional: int, value_of) -> List[str]:
    """The modules a call hands to the callee's ``*args`` (``set_requires_grad(False, layer)`` into
    ``def set_requires_grad(requires_grad, *models)``): its positional arguments after the named
    ones, each a module of a known path; nothing when one is spread (``*nets``) or unknown."""
    given = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args) or len(given) <= positional:
        return []
    paths = [dotted(arg.value) for arg in given[positional:]]
    if any(path is None or value_of(arg.value).kind != "module" for path, arg in zip(paths, given[positional:])):
        return []
    return paths


def _argument_node(call: cst.Call, params: List[cst.Param], name: str) -> Optional[cst.BaseExpression]:
    for arg, param in zip(call.args, params):
        if arg.star:
            break
        if arg.keyword is None and param.name.value == name:
            return arg.value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _wraps(value: cst.BaseExpression, name: str) -> bool:
    """``[nets]`` / ``(nets,)``: a list or tuple of the parameter alone."""
    return (
        type(value) in (cst.List, cst.Tuple)
        and len(value.elements) == 1
        and type(value.elements[0].value) is cst.Name
        and value.elements[0].value.value == name
    )
