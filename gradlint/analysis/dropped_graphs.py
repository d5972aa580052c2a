"""Graphs that nothing can backpropagate: an in-place write into a tensor an op saved raises only
when a backward() (or ``autograd.grad``) later runs through that op.

``probs = softmax(net(x), dim=1); probs[rows, labels] = 0; wrong = probs.argmax(1)`` in an
evaluation loop run with gradients enabled (a notebook cell, a decoding helper masking its
log-probabilities) overwrites what softmax saved, but the graph is dropped unused: no error.
The write is judged harmless only when the scope shows every way the graph could reach a backward
is closed: the scope's own code never backpropagates, and the tensor (with whatever was computed
from it) only goes into torch functions and its own methods, never leaves the scope (returned,
stored in a field or a container, read by a function of the file) and is not handed to other code.

A scope that backpropagates other graphs drops the written one as well when it differentiates only
through ``backward()`` calls and none of their losses is computed from the tensor, following the
scope's assignments (TD3's target action: ``next_action = actor_target(s2); next_action += noise``
feeds a target the critic's loss uses only through ``.detach()``). There the tensor may also go
into modules (what they return is followed as the tensor is), but not into another name as it is
(an alias, the same storage, whose uses are not followed).
"""

import re
from typing import Optional

import libcst as cst

from .syntax import dotted, walk

#: code that backpropagates or takes gradients, in any spelling (``loss.backward()``,
#: ``accelerator.backward(loss)``, ``torch.autograd.grad``, ``grad(f)(x)``, ``jacobian(f, x)``)
_BACKPROPAGATES = re.compile(r"backward|autograd|\bgrad\s*\(|\b(vjp|jvp|jacobian|hessian|vmap)\b")

#: code that takes gradients other than through a ``backward()`` call
_DIFFERENTIATES = re.compile(r"autograd|\bgrad\s*\(|\b(vjp|jvp|jacobian|hessian|vmap)\b")

#: builtins that read a tensor without keeping it (``len(probs)``, ``print(probs)``)
_READERS = frozenset("len print float int bool str repr isinstance round format type".split())

#: methods (and torch functions) whose result carries no graph: indices, Python numbers, a detached copy
_CUTTING = frozenset("argmax argmin argsort item tolist detach nonzero".split())


def never_backpropagated(path: str, scope: Optional[cst.FunctionDef], ctx) -> bool:
    """Whether the graph of the tensor named ``path`` (a local of ``scope``, or a global of the
    module's top-level code when ``scope`` is None) can reach no backward()."""
    module = ctx.module_node
    if module is None or not path.isidentifier():
        return False
    if scope is None:
        statements = [s for s in module.body if type(s) not in (cst.FunctionDef, cst.ClassDef)]
        elsewhere = [s for s in module.body if type(s) in (cst.FunctionDef, cst.ClassDef)]
    else:
        statements = list(scope.body.body) if isinstance(scope.body, cst.IndentedBlock) else [scope.body]
        elsewhere = []
    code = "\n".join(module.code_for_node(s) for s in statements)
    backpropagates = bool(_BACKPROPAGATES.search(code))
    if backpropagates and _DIFFERENTIATES.search(code):
        return False
    carriers = {path} | {
        name
        for name, value in ctx.state.env.items()
        if name.isidentifier() and path in getattr(value, "deps", ())
    }
    if backpropagates:
        carriers = _computed_from(carriers, statements)
    if elsewhere:
        read_elsewhere = set(re.findall(r"\w+", "\n".join(module.code_for_node(s) for s in elsewhere)))
        if not carriers.isdisjoint(read_elsewhere):
            return False  # a function or class of the file reads the global
    modules = frozenset()
    if backpropagates:
        if not _losses_avoid(carriers, code, statements):
            return False
        modules = _modules_called(statements, ctx)
    uses = _Uses(carriers, modules, aliases_escape=backpropagates)
    for statement in statements:
        statement.visit(uses)
    return not uses.escapes


def _computed_from(carriers: set, statements) -> set:
    """``carriers`` and every name an assignment of the statements binds to a value computed from one
    of them (not through ``.detach()``, ``.item()``, ...), in any order (a loop may run it again)."""
    bound_from = {}  # a name read by an assignment's value -> the names the assignment binds
    for statement in statements:
        for node in walk(statement):
            if type(node) in (cst.Assign, cst.AugAssign, cst.AnnAssign) and node.value is not None:
                targets = node.targets if type(node) is cst.Assign else [node]
                bound = [name.value for target in targets for name in walk(target.target) if type(name) is cst.Name]
                for read in _graph_names(node.value):
                    bound_from.setdefault(read, []).extend(bound)
    carriers, todo = set(carriers), list(carriers)
    while todo:
        for name in bound_from.get(todo.pop(), ()):
            if name not in carriers:
                carriers.add(name)
                todo.append(name)
    return carriers


def _losses_avoid(carriers: set, code: str, statements) -> bool:
    """Whether every ``backward()`` of the statements backpropagates a value not computed from the
    carriers (its receiver and its arguments: ``accelerator.backward(loss)``)."""
    calls = [
        node
        for statement in statements
        for node in walk(statement)
        if type(node) is cst.Call and _callee_name(node.func) == "backward"
    ]
    if not calls or len(re.findall("backward", code)) != len(calls):
        return False  # `backward` spelt elsewhere (a hook, a helper's name): not every use known
    uses = _Uses(carriers)
    for call in calls:
        operands = [arg.value for arg in call.args]
        if type(call.func) is cst.Attribute:
            operands.append(call.func.value)
        if any(uses._mentions(operand) for operand in operands):
            return False
    return True


def _callee_name(func) -> Optional[str]:
    if type(func) is cst.Attribute:
        return func.attr.value
    return func.value if type(func) is cst.Name else None


def _modules_called(statements, ctx) -> frozenset:
    """The dotted names called in the statements that are modules (``critic_target(s2, a2)``)."""
    names = {dotted(node.func) for statement in statements for node in walk(statement) if type(node) is cst.Call}
    return frozenset(name for name in names if name and getattr(ctx.lookup(name), "kind", None) == "module")


class _Uses(cst.CSTVisitor):
    """Finds a way out for the carriers: a return, a yield, a store into something else, a call of
    code that is neither torch's nor a reading builtin nor one of ``modules``, a function defined
    inside the scope; with ``aliases_escape``, a carrier bound as it is to another name, or iterated."""

    def __init__(self, carriers, modules=frozenset(), aliases_escape=False):
        self.carriers = carriers
        self.modules = modules
        self.aliases_escape = aliases_escape
        self.escapes = False

    def _mentions(self, node) -> bool:
        return not self.carriers.isdisjoint(_graph_names(node))

    def visit_FunctionDef(self, node) -> bool:
        if self._mentions(node):
            self.escapes = True  # a closure over the tensor runs where it is handed
        return False

    def visit_Lambda(self, node) -> bool:
        if self._mentions(node):
            self.escapes = True
        return False

    def visit_Global(self, node) -> None:
        self.escapes = True

    def visit_Nonlocal(self, node) -> None:
        self.escapes = True

    def visit_Return(self, node) -> None:
        if node.value is not None and self._mentions(node.value):
            self.escapes = True

    def visit_Yield(self, node) -> None:
        if node.value is not None and self._mentions(node.value):
            self.escapes = True

    def visit_Assign(self, node) -> None:
        if self._mentions(node.value) and any(self._stores_elsewhere(t.target) for t in node.targets):
            self.escapes = True
        if self.aliases_escape and _aliased(node.value, self.carriers):
            self.escapes = True  # `a = next_action`, `a = next_action[:, 0]`: the same storage

    def visit_For(self, node) -> None:
        if self.aliases_escape and self._mentions(node.iter):
            self.escapes = True  # `for a in next_action:` binds views of it

    def visit_CompFor(self, node) -> None:
        if self.aliases_escape and self._mentions(node.iter):
            self.escapes = True

    def visit_NamedExpr(self, node) -> None:
        if self.aliases_escape and self._mentions(node.value):
            self.escapes = True

    def visit_WithItem(self, node) -> None:
        if self.aliases_escape and node.asname is not None and self._mentions(node.item):
            self.escapes = True

    def visit_AugAssign(self, node) -> None:
        if self._mentions(node.value) and self._stores_elsewhere(node.target):
            self.escapes = True

    def visit_Call(self, node) -> None:
        if not any(self._mentions(arg.value) for arg in node.args):
            return
        name = dotted(node.func) or ""
        if name.startswith(("torch.", "F.")) or name in _READERS or name in self.modules:
            return
        self.escapes = True  # `history.append(probs)`, `criterion(probs, y)`, `log(probs)`: kept elsewhere

    def _stores_elsewhere(self, target) -> bool:
        """A field (``self.p = ...``), an element of a container, or several names at once."""
        if type(target) is cst.Name:
            return False
        if type(target) is cst.Subscript and type(target.value) is cst.Name and target.value.value in self.carriers:
            return False  # a write into the tensor itself
        return True


def _aliased(value, carriers) -> bool:
    """A carrier itself, or a view of one (an index, an attribute, a method call on it)."""
    while True:
        if type(value) is cst.Name:
            return value.value in carriers
        if type(value) in (cst.Subscript, cst.Attribute):
            value = value.value
        elif type(value) is cst.Call and type(value.func) is cst.Attribute:
            value = value.func.value
        else:
            return False


def _graph_names(node) -> set:
    """The names ``node`` reads whose graph its value may carry: not those read only through
    ``.detach()``, ``.item()``, ``.argmax()``, ``.data`` or a comparison."""
    found = set()

    class _Find(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

        def visit_Call(self, call: cst.Call) -> bool:
            # `probs.argmax(1)`, `torch.argmax(probs, 1)`, `loss.item()`: the result holds no graph
            func = call.func
            return not (type(func) is cst.Attribute and func.attr.value in _CUTTING)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            return attribute.attr.value != "data"

        def visit_Comparison(self, comparison: cst.Comparison) -> bool:
            return False  # a boolean mask

    node.visit(_Find())
    return found
