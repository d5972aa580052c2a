"""Whether a file's forward hooks keep the tensors a forward gives them.

A forward whose output the statement drops (``_ = model(x)`` in a warm-up loop) frees its graph at
once, unless a forward hook stores an input or an output with its history (LSUV initialisation
appending ``output`` to a list). Hooks that only count (a FLOPs profiler adding up shapes, a timer)
or store detached values (``gg["act"] = output.data``) keep no graph.

The hooks are the functions handed to ``register_forward_hook`` / ``register_forward_pre_hook`` in
the file: a lambda, a function or method of the file named there, the values of a dict literal of
the file indexed there (``HOOKS[type(m)]``), ``partial(f, ...)``, or what a function of the file
returns (``m.register_forward_hook(self.make_hook())``). A hook that cannot be found this way may
store anything.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .syntax import dotted, walk

_REGISTER = frozenset(
    {
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_module_forward_hook",
        "register_module_forward_pre_hook",
    }
)
#: attributes of a tensor that hold no graph (its values, its metadata)
_NEUTRAL_ATTRS = frozenset({"data", "shape", "dtype", "device", "ndim", "is_cuda", "requires_grad", "layout"})
#: tensor methods whose result holds no graph
_NEUTRAL_METHODS = frozenset(
    {"detach", "size", "numel", "dim", "item", "tolist", "numpy", "nelement", "element_size", "stride", "data_ptr"}
)
#: builtins that keep nothing of their arguments
_PURE_BUILTINS = frozenset(
    {"len", "type", "isinstance", "id", "float", "int", "bool", "str", "repr", "hash", "print", "sum", "max", "min"}
)
#: libraries whose functions compute and store nothing of their arguments
_PURE_ROOTS = frozenset({"torch", "F", "math", "np", "numpy", "time", "einops"})


def hooks_keep_graphs(module: cst.Module, text: str) -> bool:
    """Some forward hook registered in the file may store a tensor it is given, graph and all."""
    if "forward_hook" not in text and "forward_pre_hook" not in text:
        return False
    index = _Index(module)
    registered = False
    for node in walk(module):
        if type(node) is not cst.Call or type(node.func) not in (cst.Attribute, cst.Name):
            continue
        name = node.func.attr.value if type(node.func) is cst.Attribute else node.func.value
        if name not in _REGISTER:
            continue
        registered = True
        hook = _hook_argument(node)
        hooks = index.resolve(hook) if hook is not None else None
        if hooks is None or any(_stores(function) for function in hooks):
            return True
    # the text names a hook API the file does not call in a form read here (an alias, a string)
    return not registered


def _hook_argument(call: cst.Call) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
        if arg.keyword is not None and arg.keyword.value == "hook":
            return arg.value
    return None


class _Index:
    """The file's functions by name, and its dict literals bound to a name."""

    def __init__(self, module: cst.Module):
        self.functions: Dict[str, List[cst.FunctionDef]] = {}
        self.dicts: Dict[str, List[cst.Dict]] = {}
        #: names also bound by an assignment (`hook = lambda ...` beside a `def hook`): not known
        self.assigned: set = set()
        for node in walk(module):
            if type(node) is cst.FunctionDef:
                self.functions.setdefault(node.name.value, []).append(node)
            elif type(node) is cst.Assign:
                for target in node.targets:
                    if type(target.target) is not cst.Name:
                        continue
                    if type(node.value) is cst.Dict:
                        self.dicts.setdefault(target.target.value, []).append(node.value)
                    else:
                        self.assigned.add(target.target.value)

    def resolve(self, node: cst.BaseExpression, depth: int = 0) -> Optional[list]:
        """The functions (defs and lambdas) ``node`` may evaluate to, or None when not known."""
        if depth > 4:
            return None
        if type(node) is cst.Lambda:
            return [node]
        if type(node) in (cst.Name, cst.Attribute):
            name = node.value if type(node) is cst.Name else node.attr.value
            if name not in self.functions or name in self.assigned:
                return None
            return list(self.functions[name])
        if type(node) is cst.Subscript and type(node.value) is cst.Name:
            found = []
            for display in self.dicts.get(node.value.value, ()):
                for element in display.elements:
                    if type(element) is not cst.DictElement:
                        return None
                    hooks = self.resolve(element.value, depth + 1)
                    if hooks is None:
                        return None
                    found.extend(hooks)
            return found or None
        if type(node) is cst.Call:
            if (dotted(node.func) or "").rsplit(".", 1)[-1] == "partial":
                return self.resolve(node.args[0].value, depth + 1) if node.args else None
            makers = self.resolve(node.func, depth + 1)
            if makers is None:
                return None
            found = []
            for maker in makers:
                returned = _returned(maker)
                if not returned:
                    return None
                for value in returned:
                    hooks = self.resolve(value, depth + 1)
                    if hooks is None:
                        return None
                    found.extend(hooks)
            return found
        return None


def _returned(function) -> list:
    """The values ``function``'s own ``return`` statements give (its nested functions' not)."""
    if type(function) is cst.Lambda:
        return [function.body]
    values = []
    for node in walk(function.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.Return:
            if node.value is None:
                return []
            values.append(node.value)
    return values


def _stores(function) -> bool:
    """The hook may keep a tensor given to it (any parameter but the module), with its graph."""
    params = function.params
    names = [param.name.value for param in (*params.posonly_params, *params.params)]
    names += [param.name.value for param in params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    carried = set(names[1:])
    body = function.body
    declared = {
        name.name.value
        for node in walk(body)
        if type(node) in (cst.Global, cst.Nonlocal)
        for name in node.names
    }
    assignments = [node for node in walk(body) if type(node) in (cst.Assign, cst.AugAssign, cst.AnnAssign)]
    changed = True
    while changed:  # local names computed from a carried tensor carry it too
        changed = False
        for node in assignments:
            if node.value is None or not _carries(node.value, carried):
                continue
            for target in _targets(node):
                if type(target) is cst.Name and target.value not in carried:
                    carried.add(target.value)
                    changed = True
        for node in walk(body):
            if type(node) in (cst.For, cst.CompFor) and _carries(node.iter, carried):
                for target in walk(node.target):
                    if type(target) is cst.Name and target.value not in carried:
                        carried.add(target.value)
                        changed = True
    for node in assignments:
        if node.value is None or not _carries(node.value, carried):
            continue
        for target in _targets(node):
            if type(target) is not cst.Name or target.value in declared:
                return True  # stored into an attribute, an item, a global
    for node in walk(body):
        if type(node) is cst.Call and not _pure(node, carried):
            if any(_carries(arg.value, carried) for arg in node.args):
                return True  # handed to a function that may keep it (`store.append(o)`)
    return False


def _targets(node) -> list:
    if type(node) is cst.Assign:
        found = []
        for target in node.targets:
            found.extend(_unpacked(target.target))
        return found
    return _unpacked(node.target)


def _unpacked(target) -> list:
    if type(target) in (cst.Tuple, cst.List):
        found = []
        for element in target.elements:
            found.extend(_unpacked(element.value))
        return found
    return [target]


def _pure(call: cst.Call, carried: set) -> bool:
    func = call.func
    if type(func) is cst.Name:
        return func.value in _PURE_BUILTINS
    if type(func) is cst.Attribute and _carries(func.value, carried):
        return True  # a tensor method on a carried tensor computes a new one
    root = (dotted(func) or "").split(".", 1)[0]
    return root in _PURE_ROOTS


def _carries(node, carried: set) -> bool:
    """``node`` evaluates to something holding a carried tensor's graph."""
    if type(node) is cst.Name:
        return node.value in carried
    if type(node) is cst.Attribute:
        return node.attr.value not in _NEUTRAL_ATTRS and _carries(node.value, carried)
    if type(node) is cst.Call:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in _NEUTRAL_METHODS:
            return False
        if type(func) is cst.Name and func.value in _PURE_BUILTINS - {"sum", "max", "min"}:
            return False
        if type(func) is cst.Attribute and _carries(func.value, carried):
            return True
        return any(_carries(arg.value, carried) for arg in node.args)
    if type(node) is cst.Subscript:
        return _carries(node.value, carried)
    if type(node) is cst.Lambda:
        return False
    return any(_carries(child, carried) for child in node.children if isinstance(child, cst.CSTNode))
