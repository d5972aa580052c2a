"""Whether a value is only read: printed, logged, formatted, compared, turned into Python numbers or cut
out of the graph (``.data``, ``.detach()``).

``torch.tensor([...])`` of grad tensors copies their values out of the graph (GRD101). The copy
is a pitfall only if something differentiates through it: a ``backward()`` of a value computed
from it, a loss it enters, a caller it is returned to. A copy that is only printed, logged,
formatted into a message, compared or converted to Python numbers (opacus's test of fast
gradient clipping: ``diff = torch.tensor([(p - q).norm() for ...])`` then
``logging.info(f"... {max(diff)}")``) wants exactly the values, and no gradient was meant to
flow through it.

The proof is syntactic over the scope that binds the copy: every use of the name, followed up
through expressions that only read (``max(diff)``, ``diff.max()``, ``diff[0]``), must end in a
reader. Any other use (an operand, an argument of another call, a return, a store, a nested
scope's use) is unknown, and unknown keeps the finding.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .syntax import child_fields, dotted

#: builtins whose result is a Python value (or text) with no graph: a use there ends the flow
_CONVERTERS = frozenset({"print", "str", "repr", "format", "float", "int", "bool", "round", "len"})
#: builtins whose result may still be (an element of) the copy: the flow goes on through them
_PASS_THROUGH = frozenset({"max", "min", "abs", "sum", "sorted", "list", "tuple"})
#: tensor methods ending in a Python value
_TO_PYTHON = frozenset({"item", "tolist", "numpy"})
#: tensor methods that read the copy into another copy-only value
_REDUCTIONS = frozenset({"max", "min", "mean", "sum", "abs", "norm", "amax", "amin", "cpu"})
#: what gives the positions of values, never their values: an index tensor has no graph, whatever
#: it is used for (``preds = torch.argmax(torch.tensor(logits), -1)`` for an accuracy)
_INDICES = frozenset({"argmax", "argmin", "argsort"})
_INDEX_MODULES = frozenset({"torch", "np", "numpy"})
#: what names a logger (``logging.info``, ``logger.warning``, ``self.log.debug``)
_LOGGERS = frozenset({"logging", "logger", "log", "_logger", "LOGGER", "LOG", "_log", "warnings"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def only_read(call: cst.Call, statement: Optional[cst.CSTNode], scope: Optional[cst.CSTNode]) -> bool:
    """``call``'s value is only read: in its own statement, or through the one name its
    statement binds it to, in every use of that name in ``scope`` (a function or module)."""
    if statement is None or scope is None:
        return False
    chain = _chain(statement, call)
    if chain is None:
        return False
    if _ends_in_reader(chain):
        return True
    name = _bound_name(statement, call)
    if name is None:
        return False
    body = scope.body if type(scope) is cst.FunctionDef else scope
    uses = []
    for chain in _name_chains(body, name):
        if _in_nested_scope(chain):
            return False  # a closure or method reading the copy: not followed
        uses.append(chain)
    # a copy never used proves nothing of what it was for: the finding stays
    return bool(uses) and all(_ends_in_reader(chain) for chain in uses)


def _bound_name(statement: cst.CSTNode, call: cst.Call) -> Optional[str]:
    if type(statement) is cst.Assign and statement.value is call and len(statement.targets) == 1:
        target = statement.targets[0].target
        return target.value if type(target) is cst.Name else None
    if type(statement) is cst.AnnAssign and statement.value is call and type(statement.target) is cst.Name:
        return statement.target.value
    return None


def _ends_in_reader(chain: List[cst.CSTNode]) -> bool:
    """Climb from ``chain[-1]`` (a use) through expressions that only read it; True at a reader."""
    for depth in range(len(chain) - 1, 0, -1):
        node, parent = chain[depth], chain[depth - 1]
        kind = type(parent)
        if kind in (cst.FormattedStringExpression, cst.Comparison, cst.Assert):
            return True
        if kind in (cst.If, cst.While, cst.IfExp) and parent.test is node:
            return True
        if kind is cst.Subscript and parent.value is node:
            continue
        if kind is cst.Arg:
            continue  # decided by the call above it
        if kind is cst.Attribute and parent.value is node:
            called = depth >= 2 and type(chain[depth - 2]) is cst.Call and chain[depth - 2].func is parent
            if parent.attr.value == ("detach" if called else "data"):
                return True  # the graph is cut there: nothing differentiates through what follows
            if called:
                if parent.attr.value in _TO_PYTHON or parent.attr.value in _INDICES:
                    return True
                if parent.attr.value in _REDUCTIONS:
                    continue
            return False
        if kind is cst.Call:
            if parent.func is node:
                continue  # the method call of the attribute checked below it
            callee = dotted(parent.func) or ""
            if callee in _CONVERTERS or _logs(callee) or _indices_of(callee, parent, node):
                return True
            if callee in _PASS_THROUGH:
                continue
            return False
        return False
    return False


def _indices_of(callee: str, call: cst.Call, arg: cst.CSTNode) -> bool:
    """``torch.argmax(copy, ...)``: the copy is the tensor whose positions are taken."""
    module, _, name = callee.rpartition(".")
    return module in _INDEX_MODULES and name in _INDICES and bool(call.args) and call.args[0] is arg


def _logs(callee: str) -> bool:
    parts = callee.split(".")
    if parts[0] == "self":
        parts = parts[1:]
    return len(parts) == 2 and parts[0] in _LOGGERS and parts[1] in _LOG_METHODS


def _chain(root: cst.CSTNode, target: cst.CSTNode) -> Optional[List[cst.CSTNode]]:
    """The nodes from ``root`` down to ``target``, both included."""
    stack = [(root, [root])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        for child in _children(node):
            stack.append((child, path + [child]))
    return None


def _name_chains(body: cst.CSTNode, name: str):
    """The chain from ``body`` to each read of the name ``name`` (not its bindings, not an
    attribute or keyword spelled the same)."""
    stack = [(body, [body])]
    while stack:
        node, path = stack.pop()
        if type(node) is cst.Name and node.value == name:
            if not _binding_or_label(path):
                yield path
            continue
        for child in _children(node):
            stack.append((child, path + [child]))


def _binding_or_label(path: List[cst.CSTNode]) -> bool:
    node, parent = path[-1], path[-2] if len(path) > 1 else None
    if type(parent) is cst.Attribute and parent.attr is node:
        return True
    if type(parent) is cst.Arg and parent.keyword is node:
        return True
    if type(parent) is cst.AssignTarget and parent.target is node:
        return True  # a rebinding; a use of the new value is not a use of the copy
    if type(parent) in (cst.Param, cst.ImportAlias, cst.AsName):
        return True
    return False


def _in_nested_scope(path: List[cst.CSTNode]) -> bool:
    return any(isinstance(node, _SCOPES) for node in path[1:])


def _children(node: cst.CSTNode):
    for field in child_fields(type(node)):
        child = getattr(node, field)
        if isinstance(child, cst.CSTNode):
            yield child
        elif isinstance(child, (list, tuple)):
            for element in child:
                if isinstance(element, cst.CSTNode):
                    yield element
