"""Graphs that nothing can backpropagate: an in-place write into a tensor an op saved raises only
when a backward() (or ``autograd.grad``) later runs through that op.

``probs = softmax(net(x), dim=1); probs[rows, labels] = 0; wrong = probs.argmax(1)`` in an
evaluation loop run with gradients enabled (a notebook cell, a decoding helper masking its
log-probabilities) overwrites what softmax saved, but the graph is dropped unused: no error.
The write is judged harmless only when the scope shows every way the graph could reach a backward
is closed: the scope's own code never backpropagates, and the tensor (with whatever was computed
from it) only goes into torch functions and its own methods, never leaves the scope (returned,
stored in a field or a container, read by a function of the file) and is not handed to other code.
"""

import re
from typing import Optional

import libcst as cst

from .syntax import dotted

#: code that backpropagates or takes gradients, in any spelling (``loss.backward()``,
#: ``accelerator.backward(loss)``, ``torch.autograd.grad``, ``grad(f)(x)``, ``jacobian(f, x)``)
_BACKPROPAGATES = re.compile(r"backward|autograd|\bgrad\s*\(|\b(vjp|jvp|jacobian|hessian|vmap)\b")

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
    if _BACKPROPAGATES.search(code):
        return False
    carriers = {path} | {
        name
        for name, value in ctx.state.env.items()
        if name.isidentifier() and path in getattr(value, "deps", ())
    }
    for name in carriers:
        word = re.compile(rf"\b{re.escape(name)}\b")
        if any(word.search(module.code_for_node(s)) for s in elsewhere):
            return False  # a function or class of the file reads the global
    uses = _Uses(carriers)
    for statement in statements:
        statement.visit(uses)
    return not uses.escapes


class _Uses(cst.CSTVisitor):
    """Finds a way out for the carriers: a return, a yield, a store into something else, a call of
    code that is neither torch's nor a reading builtin, a function defined inside the scope."""

    def __init__(self, carriers):
        self.carriers = carriers
        self.escapes = False

    def _mentions(self, node) -> bool:
        found = []

        class _Find(cst.CSTVisitor):
            def visit_Name(inner, name: cst.Name) -> None:  # noqa: N805
                if name.value in self.carriers:
                    found.append(name)

            def visit_Call(inner, call: cst.Call) -> bool:  # noqa: N805
                # `probs.argmax(1)`, `torch.argmax(probs, 1)`, `loss.item()`: the result holds no graph
                func = call.func
                return not (type(func) is cst.Attribute and func.attr.value in _CUTTING)

            def visit_Attribute(inner, attribute: cst.Attribute) -> bool:  # noqa: N805
                return attribute.attr.value != "data"

            def visit_Comparison(inner, comparison: cst.Comparison) -> bool:  # noqa: N805
                return False  # a boolean mask

        node.visit(_Find())
        return bool(found)

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

    def visit_AugAssign(self, node) -> None:
        if self._mentions(node.value) and self._stores_elsewhere(node.target):
            self.escapes = True

    def visit_Call(self, node) -> None:
        if not any(self._mentions(arg.value) for arg in node.args):
            return
        name = dotted(node.func) or ""
        if name.startswith(("torch.", "F.")) or name in _READERS:
            return
        self.escapes = True  # `history.append(probs)`, `criterion(probs, y)`, `log(probs)`: kept elsewhere

    def _stores_elsewhere(self, target) -> bool:
        """A field (``self.p = ...``), an element of a container, or several names at once."""
        if type(target) is cst.Name:
            return False
        if type(target) is cst.Subscript and type(target.value) is cst.Name and target.value.value in self.carriers:
            return False  # a write into the tensor itself
        return True
