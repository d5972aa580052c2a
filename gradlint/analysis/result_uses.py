"""What becomes of the graphs a function collects: handed back to a caller, or only kept.

A loop (or a list comprehension) that runs a model with gradients enabled and never calls
``backward()`` keeps each step's graph in what it collects. Whether that is an evaluation's
history (GRD502) depends on what the function does with the collection:

- returns it (``return log_probs, values`` of an RL rollout): the caller decides;
- returns a graph made from it (``return torch.stack(losses).mean()``, the loss of a batch split
  into chunks) that a caller backpropagates (``batch_loss(model, chunks).backward()``, or
  ``loss = batch_loss(...) + reg`` then ``loss.backward()``): one training step's graph;
- returns numbers made from it (``.item()``), or nothing: the history is only kept.

Whether a caller backpropagates is a syntactic scan of every scope that calls the function by
name (the module's own statements, each function and method, in this file and in the project's
files that call into it), following the names the result is assigned to. Matching loosely only
makes the rule more silent.
"""

from __future__ import annotations

from typing import Iterable, Set

import libcst as cst

from . import imports
from .callers import caller_files, read_text
from .syntax import dotted, walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def backpropagated_by_callers(ctx, name: str) -> bool:
    """A caller in the walked file, or in a file of the project that calls into it
    (``callers``), backpropagates what ``name`` returns."""
    modules = [ctx.module_node] if ctx.module_node is not None else []
    if ctx.path:
        for caller in caller_files(ctx.path, ctx.source):
            # shared with the run and checked as an import is (``imports.parse_checked``)
            module = imports.parse_checked(read_text(caller), caller)
            if module is not None:
                modules.append(module)
    return result_backpropagated(modules, name)


def result_backpropagated(modules: Iterable[cst.Module], name: str) -> bool:
    """Some scope of ``modules`` calls ``name`` (``name(...)``, ``self.name(...)``,
    ``helpers.name(...)``) and backpropagates a value computed from the call's result."""
    for module in modules:
        scopes = [module] + [node for node in walk(module) if type(node) is cst.FunctionDef]
        for scope in scopes:
            body = scope.body if type(scope) is cst.FunctionDef else scope
            nodes = list(walk(body, prune=_SCOPES))
            calls = {id(node) for node in nodes if type(node) is cst.Call and _callee_name(node.func) == name}
            if calls and _backprops(nodes, calls):
                return True
    return False


def _callee_name(func: cst.BaseExpression) -> str:
    if type(func) is cst.Name:
        return func.value
    if type(func) is cst.Attribute:
        return func.attr.value
    return ""


def _backprops(nodes: list, calls: Set[int]) -> bool:
    """A ``backward()`` of this scope receives a call's result, or a name bound from one."""
    carriers: Set[str] = set()
    changed = True
    while changed:  # `out = helper(x)`, `loss = out["loss"] + reg`: follow the names
        changed = False
        for node in nodes:
            if type(node) is cst.Assign:
                targets = [target.target for target in node.targets]
            elif type(node) in (cst.AugAssign, cst.AnnAssign) and node.value is not None:
                targets = [node.target]  # `total += helper(x)`
            else:
                continue
            if not _carries(node.value, calls, carriers):
                continue
            for target in targets:
                for part in walk(target):
                    if type(part) is cst.Name and part.value not in carriers:
                        carriers.add(part.value)
                        changed = True
    for node in nodes:
        if type(node) is not cst.Call or type(node.func) is not cst.Attribute:
            continue
        method = node.func.attr.value
        if method == "backward" and _carries(node.func.value, calls, carriers):
            return True  # `loss.backward()`, `scaler.scale(loss).backward()`, `(a + b).backward()`
        if method in ("backward", "manual_backward") and any(_carries(arg.value, calls, carriers) for arg in node.args):
            return True  # `accelerator.backward(loss)`, `self.manual_backward(loss)`
    return False


def _carries(expression: cst.CSTNode, calls: Set[int], carriers: Set[str]) -> bool:
    for part in walk(expression):
        if id(part) in calls or type(part) is cst.Name and part.value in carriers:
            return True
    return False


def holds_graph(value) -> bool:
    """A grad tensor, or a tuple, list or dict display holding one (``(loss, n)``, ``{"loss": loss}``),
    or a structure one of whose fields a ``backward()`` proved (``output["loss"].backward()``)."""
    if value.kind == "tensor":
        # a leaf (an input a dream or an attack optimises in place, then keeps) holds no graph
        return value.grad is True and value.leaf is not True and (not value.struct or value.has_grad is True)
    if value.kind == "seq":
        return value.has_grad is True
    if value.kind == "dict":
        return any(item.is_grad_tensor and not item.struct for item in value.items)
    return False


def handed_back(scope, found, path: str, ctx) -> bool:
    """A list the loop appends each step's output to (or a comprehension builds, or a dict the loop stores each
    step's output in by key), then returned by the function (``return
    log_probs, values, rewards`` of an RL rollout): the caller receives every step's graph, to
    backpropagate through it (a policy-gradient update) or not. That is the caller's decision, not
    an evaluation loop's history, unless the function switched a model to ``eval()`` itself: then it
    evaluates. So is a list passed on to a function that may backpropagate it (``apply(losses)``
    whose body calls ``backward()``, or one this file does not define). A running sum returned (``return total / n``) is still one, unless a caller backpropagates
    what the function returns (the summed loss of a decoded sequence), and so is a number made
    from the list (``return torch.stack(losses).mean().item()``); a graph made from it
    (``return torch.stack(losses).mean()``, the loss of a batch split into chunks) is handed back."""
    if type(scope) is not cst.FunctionDef or "." in path:
        return False
    func = getattr(found, "func", None)
    collects = type(found) is cst.ListComp or type(func) is cst.Attribute and func.attr.value in ("append", "extend", "insert")
    # `d[key] = emb`: an item stored in a dict or list under a key the loop binds, as an append (not a slot
    # of a tensor buffer, whose every write the graph records: `best[idx] = x_adv + 0.0` keeps each step's)
    collects = collects or type(found) is cst.Subscript and getattr(ctx.lookup(path), "kind", "") in ("dict", "seq")
    nodes = list(walk(scope.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)))
    if any(type(n) is cst.Call and type(n.func) is cst.Attribute and n.func.attr.value == "eval" for n in nodes):
        return False
    if collects and passed_on(ctx, nodes, path):
        return True
    for node in nodes:
        if type(node) is cst.Return and node.value is not None:
            value = node.value
            returned = value.elements if type(value) in (cst.Tuple, cst.List) else [value]
            # (a tuple's elements hold their expression in `value`; a bare `return outputs` is a Name)
            if collects and any(dotted(element.value if type(element) is cst.Element else element) == path for element in returned):
                return True
            # a running sum too (`loss += criterion(out_t, y[t])` over a decoded sequence, then `return
            # loss, preds`) when a caller backpropagates what the function returns: the sequence's loss
            if returns_graph(ctx, value, path) and (
                backpropagated_by_callers(ctx, scope.name.value) or called_by_module_methods(ctx, scope.name.value)
            ):
                return True
    return False


def called_by_module_methods(ctx, name: str) -> bool:
    """A method of one of the file's ``nn.Module`` classes (or any ``forward``) calls ``name``:
    ``q = rope_by_parts(q, cos, sin)`` in an attention's forward, whose helper rotates the query in
    parts, ``torch.cat([rotate(part) for part in parts])``. What the helper returns is part of the
    model's output, whose graph the training loop backpropagates: the parts are a forward's own
    chunks, built on purpose (GRD502 judges no comprehension of a module's methods either)."""
    module = ctx.module_node
    if module is None:
        return False
    # a function of the module is called by its name, a method as `self.name(...)` (an `evaluate`
    # method of a model calls its own `self.evaluate`, not the script's function of that name)
    of_a_class = ctx.current_class is not None
    for node in walk(module):
        if type(node) is not cst.ClassDef or type(node.body) is not cst.IndentedBlock:
            continue
        known = ctx.lookup(node.name.value)
        is_module = known is not None and known.kind == "class" and known.cls is not None and known.cls.is_module
        for caller in node.body.body:
            if type(caller) is not cst.FunctionDef or not (is_module or caller.name.value == "forward"):
                continue
            if any(type(n) is cst.Call and _calls(n.func, name, of_a_class) for n in walk(caller.body, prune=_SCOPES)):
                return True
    return False


def _calls(func: cst.BaseExpression, name: str, method: bool) -> bool:
    if method:
        return type(func) is cst.Attribute and func.attr.value == name and dotted(func.value) == "self"
    return type(func) is cst.Name and func.value == name


def returns_graph(ctx, value: cst.CSTNode, path: str) -> bool:
    """The returned expression holds a graph (``torch.stack(losses).mean()``, ``total`` summed from
    the list), or mentions the list and its value is not known to be free of one: the caller may
    backpropagate what the loop collected."""
    returned = ctx.silent_eval(value)
    if holds_graph(returned) or returned.kind == "seq" and returned.elem is not None and holds_graph(returned.elem):
        return True
    if free_of_graph(returned):
        return False  # `.item()`, a dict of them (`{"val_loss": mean.item()}`)
    return any(type(n) is cst.Name and n.value == path for n in walk(value))


def free_of_graph(value) -> bool:
    """A number, a tensor known not to require grad, or a display of only such values."""
    if value.kind == "number" or value.kind == "tensor" and value.grad is False:
        return True
    return value.kind in ("dict", "seq") and bool(value.items) and all(free_of_graph(item) for item in value.items)


#: callees that read a list without backpropagating it: builtins, and the roots of libraries that
#: compute, show or store values (``torch.stack(losses)`` is judged by what becomes of its result)
_LIBRARY_ROOTS = frozenset(
    {"print", "len", "sum", "min", "max", "sorted", "list", "tuple", "enumerate", "zip", "str", "repr"}
    | {"float", "int", "round", "any", "all", "isinstance", "map", "filter", "reversed", "dict", "set"}
    | {"torch", "np", "numpy", "plt", "matplotlib", "math", "statistics", "F", "nn", "pickle", "json"}
)


def passed_on(ctx, nodes: list, path: str) -> bool:
    """The function passes the list itself to a function that may backpropagate it: one defined in
    this file whose body calls ``backward()`` (``apply(losses)``), or one it does not define (an
    import, a method of an object of unknown class). Library functions and builtins only read it,
    and a function of this file that never backpropagates (``model.validation_epoch_end(outputs)``
    averaging ``.item()``s) does not take the graphs."""
    defined = None
    for node in nodes:
        if type(node) is not cst.Call or not any(type(arg.value) is cst.Name and arg.value.value == path for arg in node.args):
            continue
        callee = dotted(node.func)
        if not callee or callee.split(".", 1)[0] in _LIBRARY_ROOTS or callee.split(".", 1)[0] == path:
            continue
        if defined is None:
            defined = _definitions(ctx.module_node)
        bodies = defined.get(callee.rsplit(".", 1)[-1])
        if bodies is None or any(_calls_backward(body) for body in bodies):
            return True
    return False


def _definitions(module) -> dict:
    """Function and method name -> their definitions in the module."""
    found: dict = {}
    if module is not None:
        for node in walk(module):
            if type(node) is cst.FunctionDef:
                found.setdefault(node.name.value, []).append(node)
    return found


def _calls_backward(function: cst.FunctionDef) -> bool:
    return any(
        type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in ("backward", "manual_backward")
        for node in walk(function.body)
    )
